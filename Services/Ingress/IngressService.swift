import Foundation
import HTTP
import Platform
import Shared

/// The ingress service process: boots the shared runtime, migrates the `ingress` schema, serves its routes.
public enum IngressService {
    public static let identity = ServiceIdentity(name: "ingress", defaultPort: 8080, migrations: IngressMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, _) = await ServiceRuntime.boot(identity) { _, _ in () }
        let router = Router()
        let server = runtime.makeServer(router: router)
        return await runtime.run([server])
    }
}
