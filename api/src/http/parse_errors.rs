//! Requests hyper refuses before the app sees them: a URL over 64 KB (414)
//! or a request head over its buffer (431). hyper answers those itself
//! with an empty body and no content type, and offers no hook, so the
//! connection's writes are watched here: such an answer (its status line
//! and `content-length: 0`, written in one piece because this stream says
//! it cannot write vectored) is swapped for the same status with the JSON
//! error every other refusal has. Everything else passes through untouched.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
};

use axum::serve::Listener;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
};

/// A TCP listener whose connections get JSON bodies on hyper's own errors.
pub struct JsonParseErrors(pub TcpListener);

impl Listener for JsonParseErrors {
    type Io = JsonErrorStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = Listener::accept(&mut self.0).await;
        (
            JsonErrorStream {
                inner: io,
                replacing: None,
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Listener::local_addr(&self.0)
    }
}

pub struct JsonErrorStream {
    inner: TcpStream,
    /// A replacement being written: its bytes, how many are out, and the
    /// length of hyper's own answer, reported as written once it is all out.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

/// The JSON answer for hyper's bodiless error `head`, if it is one.
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let (status, en, zh) = if head.starts_with(b"HTTP/1.1 414 ") {
        (
            "414 URI Too Long",
            "The address (URL) is too long.",
            "网址太长了。",
        )
    } else if head.starts_with(b"HTTP/1.1 431 ") {
        (
            "431 Request Header Fields Too Large",
            "The request's headers are too large.",
            "请求的标头太大了。",
        )
    } else {
        return None;
    };
    let text = std::str::from_utf8(head).ok()?;
    let (head_only, rest) = text.split_once("\r\n\r\n")?;
    if !rest.is_empty()
        || !head_only
            .lines()
            .any(|l| l.eq_ignore_ascii_case("content-length: 0"))
    {
        return None;
    }
    let body = serde_json::json!({ "error": en, "error_zh": zh, "fields": [] }).to_string();
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\n",
        body.len()
    );
    for line in head_only.lines().skip(1) {
        if !line.to_ascii_lowercase().starts_with("content-length:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl AsyncRead for JsonErrorStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonErrorStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            match replacement(buf) {
                Some(bytes) => this.replacing = Some((bytes, 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        // Out with the replacement; hyper calls again with the same bytes
        // while this is pending.
        while let Some((bytes, sent, original)) = this.replacing.as_mut() {
            if *sent == bytes.len() {
                let original = *original;
                this.replacing = None;
                return Poll::Ready(Ok(original));
            }
            match Pin::new(&mut this.inner).poll_write(cx, &bytes[*sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *sent += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        unreachable!("the loop returns")
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // hyper then writes each answer's head in one piece, which is what
    // `replacement` looks at.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bodiless_414_becomes_json_with_its_other_headers() {
        let head = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 12:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(replacement(head).unwrap()).unwrap();
        let (h, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(h.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(h.contains("content-type: application/json"));
        assert!(h.contains("connection: close"));
        assert!(h.contains("date: Wed, 02 Dec 2026"));
        assert!(h.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error_zh"], "网址太长了。");
    }

    #[test]
    fn anything_else_passes() {
        for head in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 5\r\n\r\nhello",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"{\"partial\": \"body bytes",
        ] {
            assert!(
                replacement(head).is_none(),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
