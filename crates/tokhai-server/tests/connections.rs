//! Slow clients: a connection whose client is too slow to send a request's head, the next bytes of a
//! body or a whole body, or to take its answers, is closed, so that slow clients cannot hold the
//! server's connections; and no more than `max_connections` are open at once.

mod common;

use std::time::Duration;
use tokhai_server::config::Config;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for the server to close a connection: well past the one-second timeout.
const PATIENCE: Duration = Duration::from_secs(10);

/// A server whose clients have one second, and a connection to it.
async fn server_and_connection(name: &str) -> (tokhai_server::Running, TcpStream) {
    let mut c = common::config(name);
    c.client_timeout_secs = 1;
    start_and_connect(c).await
}

/// A server started with `c`, and a connection to it.
async fn start_and_connect(c: Config) -> (tokhai_server::Running, TcpStream) {
    let running = tokhai_server::start(c).await.expect("server starts");
    let stream = TcpStream::connect(running.addr).await.expect("connects");
    (running, stream)
}

/// What the server sent until it closed the connection, or `None` if it kept it open past `PATIENCE`.
async fn answer_until_closed(stream: &mut (impl AsyncRead + Unpin)) -> Option<String> {
    let mut got = Vec::new();
    // A reset is a close too.
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut got))
        .await
        .ok()?;
    Some(String::from_utf8_lossy(&got).into_owned())
}

/// Sends a request and answers the first bytes that come back (`None` if none came within `PATIENCE`).
async fn first_bytes_of_answer(stream: &mut TcpStream, request: &str) -> Option<String> {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buffer = [0; 1024];
    let read = tokio::time::timeout(PATIENCE, stream.read(&mut buffer)).await;
    let n = read.ok()?.ok().filter(|&n| n > 0)?;
    Some(String::from_utf8_lossy(&buffer[..n]).into_owned())
}

#[tokio::test]
async fn a_request_head_that_does_not_come_in_time_closes_the_connection() {
    let (running, mut slow) = server_and_connection("slow-head").await;
    slow.write_all(b"GET / HTTP/1.1\r\nHost: portal\r\n").await.unwrap();
    let answer = answer_until_closed(&mut slow).await;
    assert!(answer.is_some(), "the connection was kept open past {PATIENCE:?}");
    // Others are served meanwhile and after.
    let mut other = TcpStream::connect(running.addr).await.unwrap();
    other
        .write_all(b"GET / HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = answer_until_closed(&mut other).await.expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed() {
    let (_running, mut idle) = server_and_connection("idle").await;
    idle.write_all(b"GET / HTTP/1.1\r\nHost: portal\r\n\r\n").await.unwrap();
    let answer = answer_until_closed(&mut idle)
        .await
        .expect("the idle connection was kept open");
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the request was answered first: {answer}"
    );
}

#[tokio::test]
async fn a_body_whose_next_bytes_do_not_come_in_time_is_refused() {
    let (_running, mut slow) = server_and_connection("slow-body").await;
    let head =
        "POST /api/dev/login HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(br#"{"pin": "0"#).await.unwrap();
    let answer = answer_until_closed(&mut slow)
        .await
        .expect("the connection was kept open");
    assert!(answer.starts_with("HTTP/1.1 400"), "refused: {answer}");
    assert!(answer.contains(r#""error":"#), "with the reason in JSON: {answer}");
}

#[tokio::test]
async fn a_filing_whose_bytes_stop_coming_is_answered_408_which_the_widget_sends_again() {
    let (_running, mut slow) = server_and_connection("slow-filing").await;
    let head = "POST /api/submissions HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(br#"{"form_id": "demo", "values": {"#).await.unwrap();
    let answer = answer_until_closed(&mut slow)
        .await
        .expect("the connection was kept open");
    assert!(answer.starts_with("HTTP/1.1 408"), "not 413 'too large': {answer}");
    assert!(answer.contains(r#""code":"payload.incomplete""#), "{answer}");
}

#[tokio::test]
async fn a_body_broken_otherwise_is_400_not_sent_again() {
    let (_running, mut broken) = server_and_connection("broken-body").await;
    let head = "POST /api/submissions HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    broken.write_all(head.as_bytes()).await.unwrap();
    broken.write_all(b"zz\r\n{}\r\n").await.unwrap();
    let answer = answer_until_closed(&mut broken).await.expect("answered");
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "a malformed chunk is no slow network: {answer}"
    );
    assert!(answer.contains(r#""code":"payload.incomplete""#), "{answer}");
}

#[tokio::test]
async fn a_body_trickling_in_past_its_deadline_is_answered_408() {
    let mut c = common::config("drip");
    c.body_timeout_secs = 1;
    let (_running, stream) = start_and_connect(c).await;
    let (mut reader, mut writer) = stream.into_split();
    let head = "POST /api/submissions HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";
    writer.write_all(head.as_bytes()).await.unwrap();
    // A byte every 200 ms: each well within the 30 s allowed between bytes, the whole never done.
    let drip = tokio::spawn(async move {
        while writer.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let answer = answer_until_closed(&mut reader)
        .await
        .expect("the connection was kept open");
    drip.abort();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"payload.incomplete""#), "{answer}");
}

#[tokio::test]
async fn past_max_connections_a_client_waits_until_one_closes() {
    let mut c = common::config("capped");
    c.max_connections = 2;
    let (running, mut first) = start_and_connect(c).await;
    let mut second = TcpStream::connect(running.addr).await.unwrap();
    for kept_alive in [&mut first, &mut second] {
        let answer = first_bytes_of_answer(kept_alive, "GET / HTTP/1.1\r\nHost: portal\r\n\r\n").await;
        assert!(
            answer.is_some_and(|a| a.starts_with("HTTP/1.1 200")),
            "served and kept open"
        );
    }
    let mut third = TcpStream::connect(running.addr).await.expect("queued by the system");
    let request = "GET / HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n";
    let early = tokio::time::timeout(Duration::from_secs(1), first_bytes_of_answer(&mut third, request)).await;
    assert!(early.is_err(), "answered while two connections were open: {early:?}");
    drop(first);
    let answer = answer_until_closed(&mut third).await.expect("answered once one closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_client_that_reads_none_of_its_answers_is_closed_and_its_place_freed() {
    let mut c = common::config("unread");
    (c.client_timeout_secs, c.max_connections) = (1, 1);
    let running = tokhai_server::start(c).await.expect("server starts");
    // A client with a tiny receive buffer asks for the 400 KB catalogue 100 times in a row and reads nothing.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut greedy = socket.connect(running.addr).await.expect("connects");
    let request = "GET /catalogs/admin-units.json HTTP/1.1\r\nHost: portal\r\n\r\n";
    greedy.write_all(request.repeat(100).as_bytes()).await.unwrap();
    // The only place is its, until its answers stop moving for a second: then another client is served.
    let mut other = TcpStream::connect(running.addr).await.expect("queued by the system");
    let request = "GET / HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n";
    other.write_all(request.as_bytes()).await.unwrap();
    let answer = answer_until_closed(&mut other)
        .await
        .expect("not served while a client that reads nothing held the only place");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The greedy client was closed before all it asked for was sent.
    let got = answer_until_closed(&mut greedy).await.expect("closed");
    let answers = got.matches("HTTP/1.1 200").count();
    assert!(answers < 100, "all {answers} answers sent");
}
