import Foundation
import PackagePlugin

/// Compiles a service's OpenAPI document into it at build time: `openapi/<service>.json` becomes
/// `enum <Service>OpenAPI { static let document }` in the plugin's work directory, outside the tree.
/// The JSON stays the one copy that is reviewed and edited; a binary serves the description of the
/// API it was built with. Nothing here is a package dependency: the plugin and its tool are part of
/// this package.
@main
struct OpenAPIEmbed: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let document = context.package.directoryURL.appending(path: "openapi").appending(
            path: target.name.lowercased() + ".json")
        let output = context.pluginWorkDirectoryURL.appending(path: target.name + "OpenAPI.swift")
        return [
            .buildCommand(
                displayName: "Embedding openapi/\(target.name.lowercased()).json into \(target.name)",
                executable: try context.tool(named: "openapi-embed").url,
                arguments: [document.path, output.path, target.name + "OpenAPI"],
                inputFiles: [document], outputFiles: [output])
        ]
    }
}
