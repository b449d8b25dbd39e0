print("Ctl: not built yet")
