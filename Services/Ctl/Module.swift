// The Ctl service; see DESIGN.md.
