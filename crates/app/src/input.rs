//! Reading request bodies field by field, so every wrong or missing field gets a 422 that names it;
//! and the one rule for control characters in text, applied at every edge that takes text (JSON
//! bodies, query strings and paths, Open311 forms, ledger cells, dumps).

use crate::error::AppError;
use serde_json::{Map, Value};

/// Fields whose text may run over several lines, and so may hold tabs and line breaks: the
/// multi-line inputs of the UI (描述, 意见, 理由, 答复, 评价…) and of Open311 (`description`).
/// Every other text field is one line. A new multi-line field is added here.
pub const MULTILINE_FIELDS: &[&str] = &[
    "description",
    "opinion",
    "reason",
    "reply",
    "text",
    "comment",
    "note",
    "remark",
    "content",
];

/// Whether a field (by its name, or the last part of a dotted path) is multi-line text.
/// Items of a list are judged by the list's name (`comments[2]` is a `comments` item).
/// A page number or size given as `value` for parameter `k`: an integer from 1 to `max`
/// (`default` when absent), else 422 naming the parameter. Bounded so that an offset computed
/// from it stays a number the databases take (issue 19: `?page=9223372036854775807`).
pub fn count_param(k: &str, value: Option<&str>, default: u64, max: u64) -> Result<u64, AppError> {
    value.map_or(Ok(default), |s| {
        s.parse::<u64>()
            .ok()
            .filter(|v| (1..=max).contains(v))
            .ok_or_else(|| {
                AppError::field(
                    k,
                    format!("应为 1 到 {max} 之间的整数"),
                    format!("must be an integer from 1 to {max}"),
                )
            })
    })
}

pub fn is_multiline(field: &str) -> bool {
    let mut f = field;
    while f.ends_with(']')
        && let Some(open) = f.rfind('[')
    {
        f = &f[..open];
    }
    let last = f.rsplit('.').next().unwrap_or(f);
    MULTILINE_FIELDS.contains(&last)
}

/// The first character a text may not hold: the C0 control characters (NUL included) and DEL;
/// tab, line feed and carriage return are allowed in multi-line text only. PostgreSQL cannot
/// store a NUL, XML cannot carry most of the others, and none of them is typed by a person.
pub fn control_char(s: &str, multiline: bool) -> Option<char> {
    s.chars()
        .find(|&c| (c < ' ' && !(multiline && matches!(c, '\t' | '\n' | '\r'))) || c == '\u{7f}')
}

/// The 422 for a control character in a field.
pub fn control_char_error(field: &str, c: char) -> AppError {
    let shown = match c {
        '\t' => " (tab)",
        '\n' | '\r' => " (line break)",
        _ => "",
    };
    AppError::field(
        field,
        format!("含有控制字符 U+{:04X}{shown}，请删除后重试", c as u32),
        format!(
            "contains the control character U+{:04X}{shown}; remove it",
            c as u32
        ),
    )
}

/// Refuses a text with a control character (see [`control_char`]); multi-line by the field's name.
pub fn check_text(field: &str, s: &str) -> Result<(), AppError> {
    match control_char(s, is_multiline(field)) {
        None => Ok(()),
        Some(c) => Err(control_char_error(field, c)),
    }
}

/// Checks every string (and key) of a JSON body, naming the field by its path
/// (`reporter.name`, `co_units[1]`).
pub fn check_json_text(v: &Value) -> Result<(), AppError> {
    fn walk(v: &Value, path: &mut String) -> Result<(), AppError> {
        match v {
            // Surrounding whitespace is trimmed by the fields that read it: judge what is kept.
            Value::String(s) => check_text(if path.is_empty() { "body" } else { path }, s.trim()),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, item) in map {
                    if let Some(c) = control_char(k, false) {
                        let parent = if path.is_empty() {
                            "body"
                        } else {
                            path.as_str()
                        };
                        return Err(control_char_error(parent, c));
                    }
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(v, &mut String::new())
}

pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: &'static str,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl<'a> Fields<'a> {
    pub fn of(v: &'a Value, prefix: &'static str) -> Result<Self, AppError> {
        match v.as_object() {
            Some(obj) => Ok(Fields { obj, prefix }),
            None => {
                let name = if prefix.is_empty() {
                    "body"
                } else {
                    prefix.trim_end_matches('.')
                };
                Err(AppError::field(
                    name,
                    "必须是 JSON 对象",
                    "must be a JSON object",
                ))
            }
        }
    }

    pub fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, want_zh: &str, want_en: &str, got: &Value) -> AppError {
        AppError::field(
            self.name(key),
            format!("应为{want_zh}，收到 {}", type_name(got)),
            format!("must be {want_en}, got {}", type_name(got)),
        )
    }

    pub fn opt_str(&self, key: &str, max_chars: usize) -> Result<Option<String>, AppError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => {
                let t = s.trim();
                check_text(&self.name(key), t)?;
                if t.chars().count() > max_chars {
                    return Err(AppError::field(
                        self.name(key),
                        format!("不能超过 {max_chars} 个字"),
                        format!("must be at most {max_chars} characters"),
                    ));
                }
                Ok((!t.is_empty()).then(|| t.to_string()))
            }
            Some(v) => Err(self.wrong(key, "字符串", "a string", v)),
        }
    }

    pub fn req_str(&self, key: &str, max_chars: usize) -> Result<String, AppError> {
        self.opt_str(key, max_chars)?
            .ok_or_else(|| AppError::field(self.name(key), "必填", "is required"))
    }

    pub fn opt_i64(&self, key: &str) -> Result<Option<i64>, AppError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| AppError::field(self.name(key), "应为整数", "must be an integer")),
            Some(v) => Err(self.wrong(key, "整数", "an integer", v)),
        }
    }

    pub fn req_i64(&self, key: &str) -> Result<i64, AppError> {
        self.opt_i64(key)?
            .ok_or_else(|| AppError::field(self.name(key), "必填", "is required"))
    }

    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, AppError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(v) => Err(self.wrong(key, "数字", "a number", v)),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, AppError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.wrong(key, "布尔值", "a boolean", v)),
        }
    }

    pub fn req_bool(&self, key: &str) -> Result<bool, AppError> {
        self.opt_bool(key)?
            .ok_or_else(|| AppError::field(self.name(key), "必填", "is required"))
    }

    pub fn str_list(&self, key: &str, max_len: usize) -> Result<Vec<String>, AppError> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(items)) => {
                if items.len() > max_len {
                    return Err(AppError::field(
                        self.name(key),
                        format!("最多 {max_len} 项"),
                        format!("at most {max_len} items"),
                    ));
                }
                items
                    .iter()
                    .map(|v| {
                        let s = v.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                            self.wrong(key, "字符串数组", "an array of strings", v)
                        })?;
                        check_text(&self.name(key), &s)?;
                        Ok(s)
                    })
                    .collect()
            }
            Some(v) => Err(self.wrong(key, "字符串数组", "an array of strings", v)),
        }
    }

    pub fn object(&self, key: &str, prefix: &'static str) -> Result<Option<Fields<'a>>, AppError> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Fields::of(v, prefix).map(Some),
            Some(v) => Err(self.wrong(key, "对象", "an object", v)),
        }
    }

    /// A coded enumeration given as its code or Chinese label.
    pub fn opt_enum<T>(
        &self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        codes: fn() -> String,
    ) -> Result<Option<T>, AppError> {
        match self.opt_str(key, 64)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| {
                AppError::field(
                    self.name(key),
                    format!("「{s}」无效，可选：{}", codes()),
                    format!("'{s}' is not valid; use one of {}", codes()),
                )
            }),
        }
    }

    pub fn req_enum<T>(
        &self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        codes: fn() -> String,
    ) -> Result<T, AppError> {
        self.opt_enum(key, parse, codes)?
            .ok_or_else(|| AppError::field(self.name(key), "必填", "is required"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_by_field() {
        assert_eq!(control_char("a\u{0}b", true), Some('\u{0}'));
        assert_eq!(control_char("行一\n行二\t\r", true), None);
        assert_eq!(control_char("行一\n行二", false), Some('\n'));
        assert_eq!(control_char("del\u{7f}", true), Some('\u{7f}'));
        assert_eq!(control_char("中文 ① 😀", false), None);
        assert!(is_multiline("description") && is_multiline("reporter.description"));
        assert!(!is_multiline("title") && !is_multiline("reporter.name"));
        assert!(is_multiline("description[0]") && is_multiline("a.reply[1][2]"));
        assert!(!is_multiline("co_units[1]"));
        assert!(check_text("description", "a\nb").is_ok());
        let e = check_text("title", "a\nb").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
    }

    #[test]
    fn json_bodies_name_the_path() {
        assert!(check_json_text(&json!({"description": "x\ny", "n": 1})).is_ok());
        let e = check_json_text(&json!({"reporter": {"name": "王\u{0}"}})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("reporter.name"));
        let e = check_json_text(&json!({"co_units": ["a", "b\u{1}"]})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("co_units[1]"));
        let e = check_json_text(&json!({"a\u{0}": 1})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
        let e = check_json_text(&json!("\u{0}")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
        let f = json!({"title": "a\tb"});
        let e = Fields::of(&f, "")
            .unwrap()
            .opt_str("title", 10)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
    }
}
