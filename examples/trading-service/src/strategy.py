"""Moving-average crossover signal."""


def signal(prices, short=5, long=20):
    if len(prices) < long:
        return "hold"
    s = sum(prices[-short:]) / short
    l = sum(prices[-long:]) / long
    return "buy" if s > l else "sell" if s < l else "hold"
