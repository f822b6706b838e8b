import NIOCore
import NIOHTTPTypes

/// How long a connection may take over each part of its life (SPEC §6.11). Without these a
/// client could hold a connection — and a file descriptor — forever by sending nothing, or
/// half a header, or a body one byte a minute.
public struct ConnectionTimeouts: Sendable, Equatable {
    /// From the connection's start (or the end of the last response) to a complete request header.
    public var header: TimeAmount
    /// Between requests on a kept-alive connection.
    public var idle: TimeAmount
    /// From the header to the end of the request body.
    public var body: TimeAmount

    public init(header: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(75), body: TimeAmount = .seconds(60)) {
        self.header = header
        self.idle = idle
        self.body = body
    }
}

/// Closes a connection that misses a deadline of `ConnectionTimeouts`. It sits after the HTTP
/// decoder, so it sees request heads and ends and response ends:
/// - from the start until the first head arrives: the header deadline;
/// - from a head until that request's end: the body deadline;
/// - after the last response while no request is open: the idle deadline (a half-sent header
///   on a kept-alive connection is also bound by it, as no head has arrived).
/// While the server is working on a request, no deadline runs: a slow answer is ours to give.
///
/// Deadlines move on every request, so they are kept as a time, not as a timer: one timer per
/// connection fires at the earliest deadline it was set for and, if the deadline moved later
/// meanwhile, sets itself again. Scheduling and cancelling a timer for every head, end and
/// response cost 7 % of a feed request's CPU.
final class ConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeouts: ConnectionTimeouts
    /// When the connection closes unless something happens first; nil while none runs.
    private var deadline: NIODeadline?
    /// The one timer, and when it fires.
    private var timer: (task: Scheduled<Void>, firesAt: NIODeadline)?
    /// Requests whose head has arrived and whose response has not ended.
    private var open = 0
    private var readingBody = false

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(timeouts.header, context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(timeouts.header, context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            open += 1
            readingBody = true
            arm(timeouts.body, context)
        case .end:
            readingBody = false
            disarm()
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            open = max(0, open - 1)
            if open == 0, !readingBody { arm(timeouts.idle, context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount, _ context: ChannelHandlerContext) {
        let deadline = NIODeadline.now() + timeout
        self.deadline = deadline
        if let timer, timer.firesAt <= deadline { return }
        startTimer(at: deadline, context)
    }

    private func disarm() {
        deadline = nil
    }

    private func startTimer(at time: NIODeadline, _ context: ChannelHandlerContext) {
        timer?.task.cancel()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let task = context.eventLoop.scheduleTask(deadline: time) {
            let (handler, context) = loopBound.value
            handler.timerFired(context)
        }
        timer = (task, time)
    }

    private func timerFired(_ context: ChannelHandlerContext) {
        timer = nil
        guard let deadline else { return }
        if deadline <= .now() {
            context.channel.close(promise: nil)
        } else {
            startTimer(at: deadline, context)
        }
    }

    private func stopTimer() {
        timer?.task.cancel()
        timer = nil
        deadline = nil
    }
}
