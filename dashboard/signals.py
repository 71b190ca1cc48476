from django.dispatch import Signal

# Sent with `account` when an AdultWork account is connected or reconnected, so that the
# bookings app can start its first sync without dashboard importing it.
account_connected = Signal()
