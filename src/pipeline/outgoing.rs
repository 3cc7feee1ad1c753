//! What an outbox row holds: a reply, or a job whose reply is made when it is delivered.

use serde::{Deserialize, Serialize};

use crate::conversation::Reply;
use crate::engine::Job;
use crate::i18n::Lang;

/// The body of an outbox row. Rows written before jobs existed hold a bare reply, which
/// still reads (untagged: a job is recognised by its `job` field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Outgoing {
    /// A report or a CSV import a step asked for: run by the sender, so that a crash after
    /// the step's commit still runs it.
    Job {
        job: Job,
        lang: Lang,
    },
    Reply(Reply),
}

impl Outgoing {
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    pub fn from_json(json: &str) -> Result<Outgoing, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// A reply as the channel calls that deliver it: the text with its buttons, then its
/// picture, then its document, each alone. A retry resumes at the part that failed, so a
/// chart that failed does not send its text twice.
pub fn delivery_parts(reply: Reply) -> Vec<Reply> {
    let mut parts = Vec::with_capacity(3);
    let image = reply.image.clone();
    let document = reply.document.clone();
    if !reply.text.as_str().trim().is_empty() {
        parts.push(Reply {
            image: None,
            document: None,
            ..reply.clone()
        });
    }
    let empty = |_: &Reply| Reply::text(crate::i18n::Html::text(""));
    if let Some(image) = image {
        parts.push(Reply {
            image: Some(image),
            ..empty(&reply)
        });
    }
    if let Some(document) = document {
        parts.push(Reply {
            document: Some(document),
            ..empty(&reply)
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Attachment;
    use crate::i18n::Html;

    #[test]
    fn a_reply_with_a_chart_and_a_spreadsheet_is_delivered_as_three_parts() {
        let file = |name: &str| Attachment {
            file_name: name.into(),
            bytes: vec![1, 2, 3],
            caption: None,
        };
        let reply = Reply {
            image: Some(file("chart.png")),
            document: Some(file("report.xlsx")),
            ..Reply::text(Html::text("Báo cáo"))
        };
        let parts = delivery_parts(reply);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].text.as_str(), "Báo cáo");
        assert!(parts[0].image.is_none() && parts[0].document.is_none());
        assert!(parts[1].image.is_some() && parts[1].text.as_str().is_empty());
        assert!(parts[2].document.is_some() && parts[2].image.is_none());
    }

    #[test]
    fn a_stored_bare_reply_still_reads_as_a_reply_and_a_job_as_a_job() {
        let reply = Reply::text(Html::text("Xin chào"));
        let bare = serde_json::to_string(&reply).expect("serialises");
        assert_eq!(
            Outgoing::from_json(&bare).expect("reads"),
            Outgoing::Reply(reply)
        );
        let job = Outgoing::Job {
            job: Job::Report {
                scope: "298".into(),
                period: None,
            },
            lang: Lang::Vi,
        };
        let json = job.to_json().expect("serialises");
        assert_eq!(Outgoing::from_json(&json).expect("reads"), job);
    }
}
