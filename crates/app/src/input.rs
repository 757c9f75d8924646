//! Reading request bodies field by field, so every wrong or missing field gets a 422 that names it.

use crate::error::AppError;
use serde_json::{Map, Value};

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

    fn get(&self, key: &str) -> Option<&'a Value> {
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
                        v.as_str()
                            .map(|s| s.trim().to_string())
                            .ok_or_else(|| self.wrong(key, "字符串数组", "an array of strings", v))
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
