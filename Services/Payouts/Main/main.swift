print("Payouts: not built yet")
