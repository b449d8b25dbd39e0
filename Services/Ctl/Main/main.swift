import Ctl
import Foundation

exit(await CofferCtl.main(arguments: Array(CommandLine.arguments.dropFirst())))
