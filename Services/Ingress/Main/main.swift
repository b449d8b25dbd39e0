import Foundation
import Ingress

exit(await IngressService.main())
