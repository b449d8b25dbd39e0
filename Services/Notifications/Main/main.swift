print("Notifications: not built yet")
