// The Payouts service; see DESIGN.md.
