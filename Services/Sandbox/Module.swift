// The Sandbox service; see DESIGN.md.
