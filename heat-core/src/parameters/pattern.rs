//! `allowed_pattern`: Python's regular expressions as the Rust engine
//! takes them (or Python's refusal of them), compiled once, lazily.

use fancy_regex::Regex;

/// An `allowed_pattern`, compiled on first use (compiling Unicode classes
/// is the costliest step of validating a template).
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    compiled: std::sync::OnceLock<Result<Regex, String>>,
}

impl Pattern {
    pub(super) fn new(source: &str) -> Self {
        Pattern {
            source: source.to_string(),
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// The compiled pattern, anchored at the start.
    pub fn get(&self) -> Result<&Regex, String> {
        self.compiled
            .get_or_init(|| {
                let rust = python_pattern(&self.source)?;
                Regex::new(&format!("^(?:{rust})")).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// A Python regular expression as the Rust engine takes it, or Python's
/// refusal of it. Python lets a quantifier follow a lookaround or an empty
/// group, which matches as if the quantifier were not there (at least
/// once) or as if the group were not there (possibly zero times); a `[`
/// inside a set is itself (`[[:alpha:]]` is a set of `[:alph` and a `]`);
/// `\Z` ends the text; escapes Python does not know (`\p`, `\z`) and
/// `(?<name>...)` are errors.
pub fn python_pattern(p: &str) -> Result<String, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    // For each open group: where it starts in `out`, and whether it is a
    // lookaround.
    let mut groups: Vec<(usize, bool)> = Vec::new();
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let known: &[char] = if in_class {
                &[
                    'a', 'b', 'f', 'n', 'r', 't', 'v', 'd', 'D', 's', 'S', 'w', 'W', 'x', 'u', 'U',
                    'N',
                ]
            } else {
                &[
                    'a', 'b', 'B', 'f', 'n', 'r', 't', 'v', 'd', 'D', 's', 'S', 'w', 'W', 'x', 'u',
                    'U', 'N', 'A', 'Z',
                ]
            };
            match chars.get(i + 1) {
                Some(&n) if n.is_ascii_alphabetic() && !known.contains(&n) => {
                    return Err(format!("bad escape \\{n} at position {i}"));
                }
                Some('Z') => out.extend(['\\', 'z']),
                Some(&n) => out.extend([c, n]),
                None => return Err(format!("bad escape (end of pattern) at position {i}")),
            }
            i += 2;
            continue;
        }
        if in_class {
            in_class = c != ']';
            if c == '[' {
                out.push('\\');
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push(c);
                // `[]` or `[^]` opens with a literal `]`.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push(']');
                    i += 1;
                }
                i += 1;
            }
            '(' => {
                let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
                if rest.starts_with("(?<") && !rest.starts_with("(?<=") && !rest.starts_with("(?<!")
                {
                    let next = chars.get(i + 3).copied().unwrap_or(' ');
                    return Err(format!("unknown extension ?<{next} at position {}", i + 1));
                }
                let look = ["(?=", "(?!", "(?<=", "(?<!"]
                    .iter()
                    .any(|l| rest.starts_with(l));
                groups.push((out.len(), look));
                out.push(c);
                i += 1;
            }
            ')' => {
                out.push(c);
                i += 1;
                let Some((start, look)) = groups.pop() else {
                    continue;
                };
                let body: String = out[start..].iter().collect();
                let empty = body == "()" || body == "(?:)";
                if !(look || empty) {
                    continue;
                }
                // The quantifier after the group, and its lazy or
                // possessive mark.
                let (min, len) = quantifier(&chars[i..]);
                if len == 0 {
                    continue;
                }
                let mark = matches!(chars.get(i + len), Some('?') | Some('+'));
                i += len + usize::from(mark);
                if min == 0 && look {
                    out.truncate(start);
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// A quantifier at the start of `s`: its minimum and its length (0: none).
fn quantifier(s: &[char]) -> (usize, usize) {
    match s.first() {
        Some('*') | Some('?') => (0, 1),
        Some('+') => (1, 1),
        Some('{') => {
            let end = s.iter().position(|c| *c == '}');
            let Some(end) = end else { return (0, 0) };
            let inner: String = s[1..end].iter().collect();
            let (lo, hi) = inner.split_once(',').unwrap_or((&inner, &inner));
            let valid = lo.chars().all(|c| c.is_ascii_digit())
                && hi.chars().all(|c| c.is_ascii_digit())
                && !(lo.is_empty() && hi.is_empty() && !inner.contains(','));
            if !valid {
                return (0, 0);
            }
            (lo.parse().unwrap_or(0), end + 1)
        }
        _ => (0, 0),
    }
}
