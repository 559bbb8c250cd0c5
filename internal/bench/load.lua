-- wrk script for `noticekb bench load`: each request is a path drawn at
-- random (seeded per thread) from a file of paths, one per line. A thread
-- stops after max_requests; the run prints one machine-readable line.
--
--   wrk -t2 -c32 -d30s -s load.lua http://127.0.0.1:8080 -- paths.txt 100000 1

local threads = {}
local id = 0

function setup(thread)
	id = id + 1
	thread:set("id", id)
	table.insert(threads, thread)
end

function init(args)
	paths = {}
	for line in io.lines(args[1]) do
		if line ~= "" then
			table.insert(paths, line)
		end
	end
	max_requests = tonumber(args[2]) or 100000
	math.randomseed((tonumber(args[3]) or 1) * 1000 + id)
	done_requests = 0
	s2, s3, s4, s429, s5 = 0, 0, 0, 0, 0
end

function request()
	return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
	done_requests = done_requests + 1
	if status >= 500 then
		s5 = s5 + 1
	elseif status == 429 then
		s429 = s429 + 1
	elseif status >= 400 then
		s4 = s4 + 1
	elseif status >= 300 then
		s3 = s3 + 1
	else
		s2 = s2 + 1
	end
	if done_requests >= max_requests then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local c = { s2 = 0, s3 = 0, s4 = 0, s429 = 0, s5 = 0 }
	for _, t in ipairs(threads) do
		for k, _ in pairs(c) do
			c[k] = c[k] + (t:get(k) or 0)
		end
	end
	local e = summary.errors
	io.write(string.format(
		"LOADRESULT requests=%d seconds=%.3f bytes=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f mean_ms=%.2f " ..
		"status_2xx=%d status_3xx=%d status_4xx=%d status_429=%d status_5xx=%d " ..
		"err_connect=%d err_read=%d err_write=%d err_timeout=%d\n",
		summary.requests, summary.duration / 1e6, summary.bytes,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
		latency:percentile(99.9) / 1000, latency.max / 1000, latency.mean / 1000,
		c.s2, c.s3, c.s4, c.s429, c.s5, e.connect, e.read, e.write, e.timeout))
end
