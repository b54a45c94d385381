//! Reading a file upload form (multipart): its CSRF token, the file and its ticked boxes.

use crate::error::PageError;
use axum::extract::Multipart;
use axum::http::StatusCode;
use maud::{Markup, html};

/// What an upload form sent.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    pub csrf: String,
    /// The file's own name (no folders), or the default given.
    pub file_name: String,
    /// `None` when no file (or an empty one) was chosen.
    pub content: Option<Vec<u8>>,
    /// Names of the other fields sent (ticked checkboxes).
    pub fields: Vec<String>,
}

impl Upload {
    pub fn checked(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f == name)
    }
}

fn too_large() -> PageError {
    PageError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "File too large",
        "The upload is larger than this server takes (its max_upload_mb setting). Split the file, or import it from the command line.",
    )
}

fn unreadable(e: impl std::fmt::Display) -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        "Upload failed",
        format!("The upload could not be read: {e}"),
    )
}

pub(crate) async fn read_upload(
    multipart: &mut Multipart,
    default_name: &str,
) -> Result<Upload, PageError> {
    let mut upload = Upload {
        file_name: default_name.to_string(),
        ..Upload::default()
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(unreadable(e)),
        };
        match field.name().unwrap_or("") {
            "csrf" => upload.csrf = field.text().await.unwrap_or_default(),
            "file" => {
                if let Some(n) = field.file_name().filter(|n| !n.is_empty()) {
                    upload.file_name = n.rsplit(['/', '\\']).next().unwrap_or(n).to_string();
                }
                match field.bytes().await {
                    // Taken over, not copied: a large upload is held once.
                    Ok(b) => upload.content = Some(Vec::from(b)).filter(|c| !c.is_empty()),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(too_large());
                    }
                    Err(e) => return Err(unreadable(e)),
                }
            }
            other => upload.fields.push(other.to_string()),
        }
    }
    Ok(upload)
}

/// The rows that kept a file from being imported, above the page's forms.
pub(crate) fn refused_file(lines: &[String], nothing_done: &str) -> Markup {
    html! {
        @if !lines.is_empty() {
            div.error-summary role="alert" {
                h2 { "The file was not imported" }
                p { (nothing_done) " Correct these rows and upload it again:" }
                ul { @for e in lines { li { (e) } } }
            }
        }
    }
}
