package io.sluice.inference.internal.heads;

/** The part of a head that maps a sentence vector to one score per label. */
interface LogitModel {

  int labels();

  /** Scores of {@code vector} for each label (higher is likelier), uncalibrated. */
  float[] logits(float[] vector);
}
