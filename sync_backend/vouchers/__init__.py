"""Offers, printed books of signed vouchers, signing keys and voucher revocation."""
