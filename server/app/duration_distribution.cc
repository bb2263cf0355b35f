#include "server/app/duration_distribution.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace corouter::app {

uint64_t MixBits(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {

// The standard normal distribution's 99th percentile.
constexpr double kZ99 = 2.3263478740408408;

// A double in (0, 1), never 0 or 1.
double Unit(uint64_t bits) { return (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53; }

// A permutation of [0, 1024) keyed by `key` under which every prefix
// [0, m) maps to a set spread evenly over [0, 1024): the index's 10 bits,
// XOR-ed with one half of the key, reversed (the Van der Corput order), then
// XOR-ed with the other half. XOR with a constant maps each aligned dyadic
// interval onto another of its size, so the spread survives the keying.
uint64_t Permute1024(uint64_t x, uint64_t key) {
  x ^= key & 1023;
  uint64_t reversed = 0;
  for (int bit = 0; bit < 10; ++bit) reversed |= ((x >> bit) & 1) << (9 - bit);
  return reversed ^ ((key >> 10) & 1023);
}

// The standard normal quantile function (Acklam's rational approximation).
double InverseNormalCdf(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - kLow) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

std::string Text(double nanos) {
  return absl::FormatDuration(absl::Nanoseconds(static_cast<int64_t>(std::llround(nanos))));
}

}  // namespace

absl::StatusOr<DurationDistribution> DurationDistribution::Uniform(std::chrono::nanoseconds low,
                                                                   std::chrono::nanoseconds high) {
  if (low.count() < 0 || high < low) {
    return absl::InvalidArgumentError("uniform wants [low, high] with 0 <= low <= high");
  }
  return DurationDistribution(Kind::kUniform, 0, 0, static_cast<double>(low.count()),
                              static_cast<double>(high.count()));
}

absl::StatusOr<DurationDistribution> DurationDistribution::LogNormal(std::chrono::nanoseconds p50,
                                                                     std::chrono::nanoseconds p99,
                                                                     std::chrono::nanoseconds max) {
  if (!(p50.count() > 0 && p50 < p99 && p99 <= max)) {
    return absl::InvalidArgumentError("lognormal wants 0 < p50 < p99 <= max");
  }
  const double mu = std::log(static_cast<double>(p50.count()));
  const double sigma = (std::log(static_cast<double>(p99.count())) - mu) / kZ99;
  return DurationDistribution(Kind::kLogNormal, mu, sigma, 0, static_cast<double>(max.count()));
}

absl::StatusOr<DurationDistribution> DurationDistribution::Normal(std::chrono::nanoseconds mean,
                                                                  std::chrono::nanoseconds stddev,
                                                                  std::chrono::nanoseconds min,
                                                                  std::chrono::nanoseconds max) {
  if (!(min.count() >= 0 && min <= mean && mean <= max && stddev.count() >= 0)) {
    return absl::InvalidArgumentError("normal wants 0 <= min <= mean <= max and stddev >= 0");
  }
  return DurationDistribution(Kind::kNormal, static_cast<double>(mean.count()),
                              static_cast<double>(stddev.count()), static_cast<double>(min.count()),
                              static_cast<double>(max.count()));
}

DurationDistribution DurationDistribution::Seeded(uint64_t seed, uint64_t stream) const {
  DurationDistribution seeded(kind_, a_, b_, low_, high_);
  seeded.seed_ = seed;
  seeded.stream_ = stream;
  return seeded;
}

std::chrono::nanoseconds DurationDistribution::Draw(uint64_t index) const {
  // The draw's stratum in its block (a keyed shuffle), and a place in it.
  const uint64_t base = MixBits(MixBits(seed_) ^ MixBits(stream_ * 0x2545F4914F6CDD1DULL + 1));
  const uint64_t block = index / kStratumBlock;
  const uint64_t stratum = Permute1024(index % kStratumBlock, MixBits(base ^ block));
  const double u = (static_cast<double>(stratum) + Unit(MixBits(base ^ ~index))) /
                   static_cast<double>(kStratumBlock);
  double nanos = 0;
  switch (kind_) {
    case Kind::kUniform:
      nanos = low_ + (high_ - low_) * u;
      break;
    case Kind::kLogNormal:
    case Kind::kNormal: {
      const double z = InverseNormalCdf(u);
      nanos = kind_ == Kind::kLogNormal ? std::min(std::exp(a_ + b_ * z), high_)
                                        : std::clamp(a_ + b_ * z, low_, high_);
      break;
    }
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(nanos)));
}

std::chrono::nanoseconds DurationDistribution::Next() const {
  return Draw(next_->fetch_add(1, std::memory_order_relaxed));
}

std::string DurationDistribution::Describe() const {
  switch (kind_) {
    case Kind::kUniform:
      return absl::StrCat("uniform(", Text(low_), ", ", Text(high_), ")");
    case Kind::kLogNormal:
      return absl::StrCat("lognormal(p50 ", Text(std::exp(a_)), ", p99 ",
                          Text(std::exp(a_ + b_ * kZ99)), ", max ", Text(high_), ")");
    case Kind::kNormal:
      return absl::StrCat("normal(mean ", Text(a_), ", stddev ", Text(b_), ", min ", Text(low_),
                          ", max ", Text(high_), ")");
  }
  return "";
}

}  // namespace corouter::app
