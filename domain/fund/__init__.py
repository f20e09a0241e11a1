"""The community fund (为民服务专项资金): budget, allocations against resolutions, payments, refunds, disclosure."""
