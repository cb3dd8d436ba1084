"""The answer-checking service (`grader serve`): students submit to a server that alone holds the key.

One module a job: `settings` (what a server process is started with), `course` (the course file),
`tokens` (secrets and their hashes), `tables` (the database's tables), `storage` (engines and
queries), `migrate` (alembic, run at start), `auth` (who is asking), `pipeline` (store, grade, record),
`recall` (results of files sent again), `limits` (request size, rate), `logs` (structured logs),
`routes` (the JSON API), `pages` (the student's web pages), `docs` (OpenAPI pages served locally), `app`
(the ASGI app), `server` (uvicorn), `client` (`grader submit`, standard library only).

Nothing here imports grader internals except through `grader.api`, `grader.core.models`,
`grader.render` and `grader.core.errors`.
"""
