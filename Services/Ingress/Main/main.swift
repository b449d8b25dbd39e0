import Foundation
import Ingress

exit(await IngressApp.main())
