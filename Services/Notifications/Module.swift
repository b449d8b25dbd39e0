// The Notifications service; see DESIGN.md.
