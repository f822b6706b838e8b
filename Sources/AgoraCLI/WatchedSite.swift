import AgoraServer
import AgoraSite
import Foundation

/// `agora serve --watch`: builds the site, rebuilds it when its content or themes change, and
/// tells open pages (live reload) — or shows them what broke, while the last good output stays.
final class WatchedSite: Sendable {
    let options: BuildOptions
    let liveReload = LiveReload()

    init(options: BuildOptions) {
        self.options = options
    }

    /// One (incremental) build, reported on stderr. After a good build `rebuilt` runs (the server
    /// re-reads the manifests) and open pages reload; a failed one leaves the old output served
    /// and shows its lines in the terminal and over open pages.
    func build(then rebuilt: (@Sendable () -> Void)? = nil) {
        let started = Date()
        do throws(BuildFailure) {
            let summary = try SiteBuilder(options: options).build()
            rebuilt?()
            for warning in summary.contentWarnings + summary.imageWarnings { Self.report("warning: " + warning.description) }
            Self.report(String(format: "watch: built in %.2f s. ", Date().timeIntervalSince(started)) + summary.incrementalLine)
            liveReload.publish(.reload)
        } catch {
            for line in error.lines { Self.report(line) }
            Self.report("watch: the build failed; still serving the last good output. Fix the lines above and save.")
            liveReload.publish(.buildFailed(error.lines))
        }
    }

    /// Watches the content folder and the themes and rebuilds after every change.
    func start(rebuilt: @escaping @Sendable () -> Void) {
        var folders = [options.contentDirectory, options.themesDirectory]
        if let theme = options.themeDirectory { folders.append(theme) }
        SiteWatcher(folders: folders) { [self] in build(then: rebuilt) }.start()
    }

    private static func report(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
