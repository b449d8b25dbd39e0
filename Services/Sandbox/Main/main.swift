import Foundation
import Sandbox

exit(await SandboxService.main())
