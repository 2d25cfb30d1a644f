#pragma once
// Counting values into equal-width bins, as numpy.histogram / matplotlib's hist do.
#include <span>
#include <vector>

namespace bnlstm {

struct Histogram {
  std::vector<double> edges;   // (bins + 1), increasing
  std::vector<double> counts;  // (bins); counts[i] covers [edges[i], edges[i+1]), the last bin
                               // also includes its right edge
};

// values: (n), finite. Bins span [lo, hi]; values outside are not counted.
// Throws Error when bins < 1, lo >= hi, or a value is not finite.
Histogram compute_histogram(std::span<const double> values, int bins, double lo, double hi);

// Bins span [min, max] of the values (numpy's default); when all values are equal,
// [v - 0.5, v + 0.5]. Throws Error when values is empty.
Histogram compute_histogram(std::span<const double> values, int bins);

// Turns counts into a probability density: counts / (total * width), so the area is 1.
void normalize_density(Histogram& histogram);

}  // namespace bnlstm
