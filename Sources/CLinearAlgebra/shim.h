// CellSim — CLinearAlgebra: the only C surface of the package (OpenBLAS CBLAS + LAPACKE).
// Not API: use the LinearAlgebra module.
#include <cblas.h>
#include <lapacke.h>
