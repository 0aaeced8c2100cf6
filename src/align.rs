//! Aligning series by time: numerator and denominator samples matched on their timestamps, not their positions.
