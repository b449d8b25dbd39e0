print("Payments: not built yet")
