"""Local fake of the Lightrun and RunCloud v2 APIs used by the apiops.saas tests, demo and benchmarks."""
