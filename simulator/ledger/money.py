"""Money arithmetic in :data:`exchanges.EXACT` (80 digits), not the thread's context.

Python's default context keeps 28 significant digits: a balance of millions plus a fee on
a trade of two 8-decimal amounts at a rate like 0.00075 needs more, and rounding there
would create or destroy money (and a hold could go below zero). Every sum and product
that moves money (balances, holds, fees) goes through these, which are exact for every
amount the venue admits; the caller's own decimal context is left alone.
"""

from exchanges import EXACT

add = EXACT.add
sub = EXACT.subtract
mul = EXACT.multiply
div = EXACT.divide
