"""Analysis of coded streams: per-picture bits, QP and PSNR, per temporal layer
(``pictures``)."""
