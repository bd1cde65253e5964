print("jumpstation")
