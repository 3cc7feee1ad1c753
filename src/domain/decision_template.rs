//! The words of the founding decision a commune's chairman signs (Quyết định thành lập Tổ
//! Công nghệ số cộng đồng): its legal grounds, the teams' tasks, who executes it and who
//! receives it. They differ between provinces and change with the law, so they come from a
//! TOML file (`data/decision/template.toml` by default), never from code, and are checked
//! when cnscd starts, like the composition rules.

use std::path::Path;

use serde::Deserialize;

/// The one placeholder a template line may hold: the commune as a sentence names it.
pub const COMMUNE: &str = "{commune}";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionTemplate {
    /// "Căn cứ …" lines, in order.
    pub grounds: Vec<String>,
    /// Article 2: the teams' tasks.
    pub tasks: Vec<String>,
    /// Article 3: when it takes effect and who executes it.
    pub executors: Vec<String>,
    /// "Nơi nhận:" lines.
    pub recipients: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read the decision template {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the decision template {path} is not valid")]
    Syntax {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("the decision template {path} is incomplete: {why}")]
    Inconsistent { path: String, why: String },
}

const DEFAULT_TEMPLATE: &str = include_str!("../../data/decision/template.toml");

impl DecisionTemplate {
    /// The built-in template (`data/decision/template.toml`).
    pub fn default_template() -> Result<DecisionTemplate, TemplateError> {
        DecisionTemplate::parse(DEFAULT_TEMPLATE, "built-in template.toml")
    }

    pub fn from_file(path: &Path) -> Result<DecisionTemplate, TemplateError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: shown.clone(),
            source,
        })?;
        DecisionTemplate::parse(&text, &shown)
    }

    pub fn parse(text: &str, origin: &str) -> Result<DecisionTemplate, TemplateError> {
        let template: DecisionTemplate =
            toml::from_str(text).map_err(|source| TemplateError::Syntax {
                path: origin.to_owned(),
                source,
            })?;
        template.inconsistency().map_or(Ok(template), |why| {
            Err(TemplateError::Inconsistent {
                path: origin.to_owned(),
                why,
            })
        })
    }

    /// Why the template cannot make a decision: a list left empty (a decision without
    /// grounds or tasks is not one), an empty line, or a placeholder other than
    /// `{commune}` (it would be printed as typed).
    fn inconsistency(&self) -> Option<String> {
        let lists = [
            ("grounds", &self.grounds),
            ("tasks", &self.tasks),
            ("executors", &self.executors),
            ("recipients", &self.recipients),
        ];
        for (name, lines) in lists {
            if lines.is_empty() {
                return Some(format!("`{name}` lists nothing"));
            }
            for (i, line) in lines.iter().enumerate() {
                if line.trim().is_empty() {
                    return Some(format!("line {} of `{name}` is empty", i + 1));
                }
                let rest = line.replace(COMMUNE, "");
                if rest.contains('{') || rest.contains('}') {
                    return Some(format!(
                        "line {} of `{name}` has a placeholder other than {COMMUNE}",
                        i + 1
                    ));
                }
            }
        }
        None
    }

    /// `line` with the commune named in it.
    pub fn fill(line: &str, commune: &str) -> String {
        line.replace(COMMUNE, commune)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_template_cites_the_local_government_law_and_names_the_commune() {
        let template = DecisionTemplate::default_template().expect("the built-in template");
        assert!(template.grounds[0].contains("Luật Tổ chức chính quyền địa phương"));
        assert!(template.grounds.iter().any(|g| g.contains("793/BTTTT-THH")));
        assert!(template.tasks.len() >= 3);
        assert!(template.recipients.iter().any(|r| r.starts_with("Lưu")));
        let filled = DecisionTemplate::fill(&template.recipients[1], "xã Đại Sơn");
        assert_eq!(filled, "Chủ tịch, các Phó Chủ tịch UBND xã Đại Sơn;");
    }

    #[test]
    fn a_template_with_an_empty_list_a_blank_line_or_an_unknown_placeholder_is_refused() {
        let good = "grounds = [\"Căn cứ Luật;\"]\ntasks = [\"Hỗ trợ {commune}.\"]\nexecutors = [\"Thi hành.\"]\nrecipients = [\"Lưu: VT.\"]\n";
        assert!(DecisionTemplate::parse(good, "t").is_ok());
        for (bad, why) in [
            (
                good.replace("[\"Căn cứ Luật;\"]", "[]"),
                "`grounds` lists nothing",
            ),
            (
                good.replace("Thi hành.", " "),
                "line 1 of `executors` is empty",
            ),
            (
                good.replace("{commune}", "{xa}"),
                "placeholder other than {commune}",
            ),
        ] {
            let error = DecisionTemplate::parse(&bad, "t")
                .expect_err(why)
                .to_string();
            assert!(error.contains(why), "{error:?} says {why:?}");
        }
        let unknown = format!("{good}signer = \"Chủ tịch\"\n");
        assert!(matches!(
            DecisionTemplate::parse(&unknown, "t"),
            Err(TemplateError::Syntax { .. })
        ));
    }
}
