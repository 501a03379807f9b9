"""What every domain shares: sanitising, time, money, errors, permissions, mail, signals."""
