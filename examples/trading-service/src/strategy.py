"""Moving-average crossover signal."""


def signal(prices, short=5, long=20):
    if len(prices) < long:
        return "hold"
    fast = sum(prices[-short:]) / short
    slow = sum(prices[-long:]) / long
    return "buy" if fast > slow else "sell" if fast < slow else "hold"
