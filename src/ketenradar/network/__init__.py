"""The chain as a sparse matrix: build, propagate, exposure, single points of failure."""
