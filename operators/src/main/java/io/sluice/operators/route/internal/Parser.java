package io.sluice.operators.route.internal;

import io.sluice.operators.Suggestions;
import io.sluice.operators.route.ExpressionException;
import io.sluice.operators.route.internal.Node.And;
import io.sluice.operators.route.internal.Node.Compare;
import io.sluice.operators.route.internal.Node.Literal;
import io.sluice.operators.route.internal.Node.Match;
import io.sluice.operators.route.internal.Node.Membership;
import io.sluice.operators.route.internal.Node.Not;
import io.sluice.operators.route.internal.Node.Or;
import io.sluice.operators.route.internal.Node.Ref;
import io.sluice.operators.route.internal.Token.Kind;
import io.sluice.operators.route.internal.Values.Op;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent parser and static type checker for routing expressions. Grammar, loosest
 * binding first:
 *
 * <pre>
 *   condition  := and ('or' and)*
 *   and        := unary ('and' unary)*
 *   unary      := 'not' unary | comparison
 *   comparison := operand [ ('==' | '!=' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=') operand
 *                         | ['not'] 'in' list | '~' string ]
 *   operand    := number | string | 'true' | 'false' | identifier | '(' condition ')'
 *   list       := '[' [ literal (',' literal)* ] ']'
 * </pre>
 *
 * Every check that does not need a record happens here, so that a rule file fails at load time
 * rather than at three in the morning: unknown identifiers (with the nearest known one), type
 * mismatches ({@code label < 3}), non-boolean conditions ({@code confidence} alone), impossible
 * {@code kind} values, bad regular expressions, chained comparisons. Nesting is limited so that a
 * hostile rule cannot exhaust the stack.
 */
public final class Parser {

  /** Deepest nesting of parentheses and {@code not} allowed. */
  public static final int MAX_DEPTH = 64;

  private final String source;
  private final List<Token> tokens;
  private final Set<String> identifiers = new LinkedHashSet<>();
  private int pos;
  private int depth;

  private Parser(String source, List<Token> tokens) {
    this.source = source;
    this.tokens = tokens;
  }

  /** A parsed and checked expression: its tree and the identifiers it reads, in order. */
  public record Parsed(Node root, Set<String> identifiers) {}

  /** Parses and checks {@code source}; throws {@link ExpressionException} on the first problem. */
  public static Parsed parse(String source) {
    if (source.isBlank()) {
      throw new ExpressionException(source, 1, "empty condition",
          "leave out 'when' to match every record, or write a condition such as"
              + " confidence < 0.7");
    }
    Parser parser = new Parser(source, Lexer.tokenize(source));
    Node root = parser.requireCondition(parser.or());
    Token rest = parser.peek();
    if (rest.kind() == Kind.IDENTIFIER && Lexer.isKeyword(rest.text().toLowerCase(Locale.ROOT))) {
      throw parser.error(rest.column(), "unexpected " + rest.describe(),
          "keywords are lower case: " + rest.text().toLowerCase(Locale.ROOT));
    }
    if (rest.kind() != Kind.END) {
      throw rest.kind() == Kind.RIGHT_PAREN
          ? parser.error(rest.column(), "')' has no matching '('", "remove it or add a '('")
          : parser.error(rest.column(), "unexpected " + rest.describe(),
              "join conditions with and / or");
    }
    return new Parsed(root, Collections.unmodifiableSet(parser.identifiers));
  }

  private Node or() {
    return chain(Kind.OR, this::and, Or::new);
  }

  private Node and() {
    return chain(Kind.AND, this::unary, And::new);
  }

  /** {@code operand (op operand)*}: one operand alone, or all of them joined by {@code join}. */
  private Node chain(Kind op, Supplier<Node> operand,
      BiFunction<List<Node>, Integer, Node> join) {
    Node first = operand.get();
    if (peek().kind() != op) {
      return first;
    }
    List<Node> terms = new ArrayList<>();
    terms.add(requireCondition(first));
    while (accept(op)) {
      terms.add(requireCondition(operand.get()));
    }
    return join.apply(List.copyOf(terms), first.column());
  }

  private Node unary() {
    Token t = peek();
    if (t.kind() != Kind.NOT) {
      return comparison();
    }
    next();
    enter(t);
    Node operand = requireCondition(unary());
    depth--;
    return new Not(operand, t.column());
  }

  private Node comparison() {
    Node left = operand();
    Token t = peek();
    Node result;
    if (t.kind().isComparison()) {
      next();
      Node right = operand();
      Op op = Op.of(t.kind());
      checkComparison(op, left, right);
      result = new Compare(op, left, right, isDynamic(left) || isDynamic(right), left.column());
    } else if (t.kind() == Kind.IN || (t.kind() == Kind.NOT && peekAhead().kind() == Kind.IN)) {
      boolean negated = t.kind() == Kind.NOT;
      next();
      if (negated) {
        next();
      }
      List<Literal> values = list();
      for (Literal value : values) {
        checkEquality(left, value);
      }
      result = new Membership(left, values, negated, isDynamic(left), left.column());
    } else if (t.kind() == Kind.MATCH) {
      next();
      result = new Match(requireText(left), regex(next()), left.column());
    } else {
      return left;
    }
    Token after = peek();
    if (after.kind().isComparison() || after.kind() == Kind.IN || after.kind() == Kind.MATCH) {
      throw error(after.column(), "comparisons cannot be chained",
          "join them with and, e.g. 0.5 < confidence and confidence < 0.7");
    }
    return result;
  }

  private Node operand() {
    Token t = next();
    switch (t.kind()) {
      case NUMBER:
        return new Literal(t.value(), Type.NUMBER, t.text(), t.column());
      case STRING:
        return new Literal(t.value(), Type.STRING, t.text(), t.column());
      case TRUE:
      case FALSE:
        return new Literal(t.kind() == Kind.TRUE, Type.BOOLEAN, t.text(), t.column());
      case IDENTIFIER:
        if (peek().kind() == Kind.LEFT_PAREN) {
          throw error(t.column(), "function calls are not supported: '" + t.text() + "('",
              "compare values with ==, !=, <, <=, >, >=, in [...] or ~ 'regex'");
        }
        Identifier id = resolve(t);
        identifiers.add(id.name());
        return new Ref(id, t.column());
      case LEFT_PAREN:
        enter(t);
        Node inner = or();
        Token close = next();
        if (close.kind() != Kind.RIGHT_PAREN) {
          throw error(close.column(), "expected ')' to close the '(' at column " + t.column()
              + ", found " + close.describe(), "");
        }
        depth--;
        return inner;
      case LEFT_BRACKET:
        throw error(t.column(), "a list can only follow 'in'",
            "e.g. label in ['electrical', 'mechanical']");
      case END:
        throw error(t.column(), "the expression ends where a value or condition was expected",
            "complete it, e.g. confidence < 0.7");
      default:
        throw error(t.column(), "expected a value or condition, found " + t.describe(),
            t.kind() == Kind.RIGHT_PAREN ? "the parentheses are empty" : "");
    }
  }

  private List<Literal> list() {
    Token open = next();
    if (open.kind() != Kind.LEFT_BRACKET) {
      throw error(open.column(), "'in' needs a list in [ ], found " + open.describe(),
          "e.g. label in ['electrical', 'mechanical']");
    }
    List<Literal> values = new ArrayList<>();
    if (accept(Kind.RIGHT_BRACKET)) {
      return values;
    }
    while (true) {
      Token item = peek();
      if (item.kind() != Kind.NUMBER && item.kind() != Kind.STRING && item.kind() != Kind.TRUE
          && item.kind() != Kind.FALSE) {
        throw error(item.column(), "lists hold only numbers, quoted strings, true and false;"
            + " found " + item.describe(), item.kind() == Kind.IDENTIFIER
            ? "quote text: '" + item.text() + "'" : "");
      }
      values.add((Literal) operand());
      Token sep = next();
      if (sep.kind() == Kind.RIGHT_BRACKET) {
        return List.copyOf(values);
      }
      if (sep.kind() != Kind.COMMA) {
        throw error(sep.column(), "expected ',' or ']' in the list, found " + sep.describe(),
            "");
      }
    }
  }

  private Identifier resolve(Token t) {
    String word = t.text();
    int dot = word.indexOf('.');
    if (dot < 0) {
      Identifier id = Identifier.PLAIN.get(word);
      if (id != null) {
        return id;
      }
      if (Identifier.PREFIXES.contains(word)) {
        throw error(t.column(), "'" + word + "' needs a field name",
            "e.g. " + word + (word.equals("fieldConfidence") ? ".part_number" : ".priority"));
      }
      String lower = word.toLowerCase(Locale.ROOT);
      if (Lexer.isKeyword(lower)) {
        throw error(t.column(), "unknown identifier '" + word + "'",
            "keywords are lower case: " + lower);
      }
      List<String> known = new ArrayList<>(Identifier.PLAIN.keySet());
      for (String prefix : Identifier.PREFIXES) {
        known.add(prefix + ".<name>");
      }
      List<String> candidates = new ArrayList<>(Identifier.PLAIN.keySet());
      candidates.addAll(Identifier.PREFIXES);
      String near = Suggestions.nearest(word, candidates);
      if (near != null && Identifier.PREFIXES.contains(near)) {
        near = near + ".<name>";
      }
      throw error(t.column(), "unknown identifier '" + word + "'", near != null
          ? "did you mean '" + near + "'?" : "known identifiers: " + String.join(", ", known));
    }
    String prefix = word.substring(0, dot);
    String field = word.substring(dot + 1);
    Identifier id = Identifier.dotted(prefix, field);
    if (id != null) {
      return id;
    }
    if (Identifier.PLAIN.containsKey(prefix)) {
      throw error(t.column(), "'" + prefix + "' has no fields",
          "only payload.<name>, attributes.<name>, fields.<name>, fieldConfidence.<name> and"
              + " generate.<name> take a field name");
    }
    String near = Suggestions.nearest(prefix, Identifier.PREFIXES);
    throw error(t.column(), "unknown identifier '" + word + "'", near != null
        ? "did you mean '" + near + "." + field + "'?"
        : "dotted names start with payload., attributes., fields., fieldConfidence. or"
            + " generate.");
  }

  private void checkComparison(Op op, Node left, Node right) {
    if (!op.orders()) {
      checkEquality(left, right);
      return;
    }
    for (Node side : List.of(left, right)) {
      Type type = side.type();
      if (type == Type.NUMBER || type == Type.TEXT_VALUE) {
        continue;
      }
      String hint;
      if (side instanceof Literal l && type == Type.STRING
          && Values.parseNumber((String) l.value()) != null) {
        hint = "drop the quotes: " + ((String) l.value()).trim();
      } else if (type == Type.STRING) {
        hint = "text compares with ==, !=, in [...] or ~ 'regex'";
      } else {
        hint = "true/false values compare with == and != or stand alone as a condition";
      }
      throw error(side.column(), "'" + op.symbol() + "' compares numbers, but " + describe(side)
          + " is " + type.description(), hint);
    }
  }

  private void checkEquality(Node left, Node right) {
    Type l = left.type();
    Type r = right.type();
    if (l != r && l != Type.TEXT_VALUE && r != Type.TEXT_VALUE) {
      Node blamed = left instanceof Literal && !(right instanceof Literal) ? left : right;
      Node other = blamed == left ? right : left;
      String hint = "";
      if (other.type() == Type.STRING && blamed instanceof Literal lit
          && blamed.type() == Type.NUMBER) {
        hint = "quote it to compare text: '" + lit.text() + "'";
      } else if (other.type() == Type.NUMBER && blamed instanceof Literal lit
          && blamed.type() == Type.STRING && Values.parseNumber((String) lit.value()) != null) {
        hint = "drop the quotes: " + ((String) lit.value()).trim();
      } else if (other.type() == Type.BOOLEAN) {
        hint = describe(other) + " is true or false: compare it with true or false, or use it"
            + " alone as a condition";
      }
      throw error(blamed.column(), "cannot compare " + describe(left) + " (" + l.description()
          + ") with " + describe(right) + " (" + r.description() + ")", hint);
    }
    checkKind(left, right);
    checkKind(right, left);
  }

  private void checkKind(Node identifier, Node literal) {
    if (identifier instanceof Ref ref && ref.identifier().name().equals("kind")
        && literal instanceof Literal lit && lit.value() instanceof String value
        && !Identifier.KINDS.contains(value)) {
      throw error(lit.column(), "kind is 'TEXT' or 'SENSOR', never '" + value + "'",
          Suggestions.didYouMean(value, Identifier.KINDS));
    }
  }

  private Node requireText(Node left) {
    if (left.type() != Type.STRING && left.type() != Type.TEXT_VALUE) {
      throw error(left.column(), "'~' matches text, but " + describe(left) + " is "
          + left.type().description(), "match text such as text, label or payload.<name>");
    }
    return left;
  }

  private Pattern regex(Token t) {
    if (t.kind() != Kind.STRING) {
      throw error(t.column(), "'~' needs a quoted regular expression, found " + t.describe(),
          "e.g. text ~ 'leak(s|ing)?'");
    }
    try {
      return Pattern.compile((String) t.value());
    } catch (PatternSyntaxException e) {
      int offset = Math.max(0, Math.min(e.getIndex(), t.text().length() - 2));
      throw error(t.column() + 1 + offset, "invalid regular expression: " + e.getDescription(),
          "patterns use Java regex syntax (java.util.regex.Pattern)");
    }
  }

  private Node requireCondition(Node node) {
    Type type = node.type();
    if (type == Type.BOOLEAN || type == Type.TEXT_VALUE) {
      return node;
    }
    String hint;
    if (node instanceof Ref ref) {
      hint = "compare it, e.g. " + ref.identifier().name()
          + (type == Type.NUMBER ? " < 0.7" : " == '...'");
    } else {
      hint = "write a condition such as confidence < 0.7";
    }
    throw error(node.column(), describe(node) + " is " + type.description()
        + ", not a condition", hint);
  }

  private static boolean isDynamic(Node node) {
    return node.type() == Type.TEXT_VALUE;
  }

  private static String describe(Node node) {
    if (node instanceof Ref ref) {
      return ref.identifier().name();
    }
    if (node instanceof Literal lit) {
      return lit.text();
    }
    return "the condition at column " + node.column();
  }

  private void enter(Token t) {
    if (++depth > MAX_DEPTH) {
      throw error(t.column(), "expression nests more than " + MAX_DEPTH + " levels deep",
          "simplify it or split it into several rules");
    }
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private Token peekAhead() {
    return tokens.get(Math.min(pos + 1, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(pos);
    if (t.kind() != Kind.END) {
      pos++;
    }
    return t;
  }

  private boolean accept(Kind kind) {
    if (peek().kind() == kind) {
      pos++;
      return true;
    }
    return false;
  }

  private ExpressionException error(int column, String problem, String hint) {
    return new ExpressionException(source, column, problem, hint);
  }
}
