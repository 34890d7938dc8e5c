"""vtm-accel: an NN-accelerated VVC encoder and the ISCAS track-3 evaluation harness."""

__version__ = "0.1.0"
