//! Classic histograms: quantiles and threshold fractions from `_bucket` series.
