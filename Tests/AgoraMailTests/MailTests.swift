import AgoraContent
import Foundation
import Testing
@testable import AgoraMail
import AgoraSQLite
@testable import AgoraStore

@Suite struct MailMessageTests {
    let message = MailMessage(from: "shop@tea.example", to: "ana@example.com", subject: "Order nr. K7QD-93XM",
                              date: Date(timeIntervalSince1970: 1_800_000_000), messageID: "order-K7QD-93XM.1@tea.example",
                              body: "Olá Ana,\nthanks.")

    @Test func rendersRFC5322WithCRLF() throws {
        let text = try message.rfc5322()
        let (head, body) = try #require(text.range(of: "\r\n\r\n").map { (text[..<$0.lowerBound], text[$0.upperBound...]) })
        #expect(head.components(separatedBy: "\r\n") == [
            "Date: Fri, 15 Jan 2027 08:00:00 +0000", "From: shop@tea.example", "To: ana@example.com",
            "Subject: Order nr. K7QD-93XM", "Message-ID: <order-K7QD-93XM.1@tea.example>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable",
        ])
        #expect(body == "Ol=C3=A1 Ana,\r\nthanks.\r\n")
    }

    @Test func headerInjectionIsImpossible() {
        for to in ["ana@example.com\r\nBcc: everyone@example.com", "ana@example.com\nBcc: x@example.com", "Ana <ana@example.com>"] {
            let bad = MailMessage(from: message.from, to: to, subject: message.subject, date: message.date,
                                  messageID: message.messageID, body: "")
            #expect(throws: MailMessage.Problem.self) { try bad.rfc5322() }
        }
        let subject = MailMessage(from: message.from, to: message.to, subject: "Hi\r\nBcc: x@example.com", date: message.date,
                                  messageID: message.messageID, body: "")
        #expect(throws: MailMessage.Problem.headerInjection(field: "Subject")) { try subject.rfc5322() }
    }

    @Test func nonASCIISubjectsAreEncodedWords() {
        #expect(MailMessage.encodedWord("Encomenda nº 1") == "=?UTF-8?B?RW5jb21lbmRhIG7CuiAx?=")
        #expect(MailMessage.encodedWord("Order nr. 1") == "Order nr. 1")
    }

    @Test func quotedPrintableKeepsLinesShort() {
        let encoded = QuotedPrintable.encode(String(repeating: "é", count: 100) + " end ")
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.hasSuffix("end=20"))
    }
}

@Suite struct OutboxWorkerTests {
    /// A store with one placed order, so the outbox holds one message.
    func storeWithOrder() async throws -> (SQLiteStore, Order) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-mail-\(UUID().uuidString)")
        let store = try SQLiteStore(path: folder.appendingPathComponent("agora.sqlite").path)
        let item = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1250), stock: 10, available: true)
        let owner = CartOwner.session("s")
        _ = try await store.carts.add(item, quantity: 1, replace: false, to: owner)
        let customer = Customer(firstName: "Ana", lastName: "Silva", email: "ana@example.com", address: "Rua 1", postalCode: "4000", city: "Porto")
        let order = try await store.orders.placeOrder(for: owner, session: nil, customer: customer, currency: "EUR", catalog: { _ in item })
        return (store, order)
    }

    func compose(_ message: OutboxMessage) -> MailMessage {
        MailMessage(from: "shop@tea.example", to: message.recipient, subject: "Order nr. \(message.orderNumber)",
                    date: Date(), messageID: "order-\(message.orderNumber).\(message.id)@tea.example", body: "Thanks!")
    }

    /// A sendmail stand-in that fails `failures` times, then delivers into `delivered`.
    func flakySendmail(failures: Int) throws -> (script: String, delivered: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("sendmail")
        let delivered = folder.appendingPathComponent("delivered")
        try Data("""
        #!/bin/sh
        [ "$1 $2" = "-t -i" ] || { echo "wrong arguments: $*" >&2; exit 64; }
        count=$(cat "\(folder.path)/count" 2>/dev/null || echo 0)
        count=$((count + 1)); echo $count > "\(folder.path)/count"
        if [ $count -le \(failures) ]; then echo "temporary failure $count" >&2; exit 75; fi
        cat >> "\(delivered.path)"
        """.utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return (script.path, delivered)
    }

    @Test func failsTwiceThenSucceedsOnceWithThreeAttempts() async throws {
        let (store, order) = try await storeWithOrder()
        let (script, delivered) = try flakySendmail(failures: 2)
        let worker = OutboxWorker(outbox: store.outbox, transport: SendmailTransport(path: script),
                                  settings: .init(maxAttempts: 8, retryBase: 0), compose: compose)
        for _ in 0..<5 { await worker.deliverDue() }
        let messages = try await store.outbox.all()
        #expect(messages.count == 1)
        #expect(messages.first?.status == .sent)
        #expect(messages.first?.attempts == 3)
        let text = try String(contentsOf: delivered, encoding: .utf8)
        #expect(text.components(separatedBy: "Subject: Order nr. \(order.number)").count == 2)  // exactly one delivery
        #expect(text.contains("To: ana@example.com\r\n"))
    }

    @Test func givesUpAfterTheLastAttemptAndCanBeRetried() async throws {
        let (store, _) = try await storeWithOrder()
        let (script, delivered) = try flakySendmail(failures: 3)
        let worker = OutboxWorker(outbox: store.outbox, transport: SendmailTransport(path: script),
                                  settings: .init(maxAttempts: 3, retryBase: 0), compose: compose)
        for _ in 0..<5 { await worker.deliverDue() }
        var message = try #require(try await store.outbox.all().first)
        #expect(message.status == .failed)
        #expect(message.attempts == 3)
        #expect(message.lastError?.contains("exited with status 75: temporary failure 3") == true)
        #expect(!FileManager.default.fileExists(atPath: delivered.path))
        #expect(try await store.outbox.retry() == 1)
        await worker.deliverDue()
        message = try #require(try await store.outbox.all().first)
        #expect(message.status == .sent)
    }

    @Test func backoffDoublesUpToTheCap() {
        let settings = OutboxWorker.Settings(maxAttempts: 8, retryBase: 30, retryCap: 3600)
        #expect((1...9).map { settings.delay(afterAttempts: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
    }

    /// A program that exits without reading its input: the write fails (EPIPE) instead of killing
    /// this process with SIGPIPE, and the delivery is a failure to retry.
    @Test func aSendmailThatStopsReadingIsAFailureNotACrash() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let message = String(repeating: "A long body line.\r\n", count: 100_000)  // far more than a pipe holds
        for (status, expected) in [(0, "exited before reading the whole message"), (75, "exited with status 75")] {
            let script = folder.appendingPathComponent("sendmail-\(status)")
            try Data("#!/bin/sh\nexit \(status)\n".utf8).write(to: script)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            await #expect {
                try await SendmailTransport(path: script.path).deliver(message, messageID: "m@tea.example")
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
    }

    /// A busy server holds thousands of sockets. Sendmail must start all the same, and inherit none
    /// of them: it sees only its standard input, output and error. (Foundation's `Process` could
    /// crash here, reading `/proc/self/fd`.)
    @Test func sendmailStartsBesideThousandsOfOpenFilesAndInheritsNone() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("sendmail")
        let report = folder.appendingPathComponent("descriptors")
        let marker = folder.appendingPathComponent("held-by-the-server")
        try Data().write(to: marker)
        try Data("#!/bin/sh\nls -l /proc/$$/fd > '\(report.path)'\ncat > /dev/null\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let open = (0..<3000).map { _ in Glibc.open(marker.path, O_RDONLY) }  // without O_CLOEXEC, so inheritable
        defer { for descriptor in open { close(descriptor) } }
        #expect(open.allSatisfy { $0 >= 0 })
        for attempt in 0..<20 {
            try await SendmailTransport(path: script.path).deliver("Subject: \(attempt)\r\n\r\nHello\r\n", messageID: "\(attempt)@tea.example")
        }
        let descriptors = try String(contentsOf: report, encoding: .utf8)
        #expect(descriptors.contains("/proc/") || descriptors.contains("->"))  // the listing was made
        #expect(!descriptors.contains(marker.lastPathComponent), "inherited: \(descriptors)")
    }

    @Test func fileTransportWritesWholeMessages() async throws {
        let (store, order) = try await storeWithOrder()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-eml-\(UUID().uuidString)")
        let worker = OutboxWorker(outbox: store.outbox, transport: FileTransport(directory: folder), compose: compose)
        #expect(await worker.deliverDue() == 1)
        #expect(await worker.deliverDue() == 0)  // sent once, never again
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files == ["order-\(order.number).1_tea.example.eml"])
    }
}
