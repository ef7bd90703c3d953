-- wrk script: every request opens a ticket (POST /api/support/tickets) as the token's person.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"subject":"Load test ticket","message":"Opened by wrk to measure creates per second","category":"bug-report"}'
