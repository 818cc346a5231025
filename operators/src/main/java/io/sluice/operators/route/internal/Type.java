package io.sluice.operators.route.internal;

/** The static type of an expression or operand, checked at parse time. */
enum Type {
  /** true or false; a condition. */
  BOOLEAN("true/false"),
  /** A number (held as a double). */
  NUMBER("a number"),
  /** Text. */
  STRING("text"),
  /**
   * Text read from a record's payload attributes or extracted fields: compared as numbers when
   * both sides parse as numbers, as text otherwise; as a condition, true when it reads "true".
   */
  TEXT_VALUE("a payload value");

  private final String description;

  Type(String description) {
    this.description = description;
  }

  /** How error messages name the type. */
  public String description() {
    return description;
  }
}
