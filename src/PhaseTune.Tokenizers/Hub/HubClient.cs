using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Hub;

/// <summary>The Hub's HTTP API as huggingface_hub uses it: the revision listing
/// (`/api/models/{repo}/revision/{rev}`: the commit and its files), the resolve endpoint
/// (`/{repo}/resolve/{commit}/{file}`: a HEAD gives the ETag, size and, for an LFS file, a redirect to its storage),
/// and downloads that resume from a kept partial file. Every request is retried with doubling waits after a 5xx,
/// 408, 429 or a dropped connection; the token goes to the endpoint's host only.</summary>
public sealed class HubClient : IDisposable
{
    static readonly HttpStatusCode[] Retryable =
        [HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
         HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    readonly HubOptions _options;
    readonly HttpClient _http;
    readonly Uri _endpoint;

    public HubClient(HubOptions options)
    {
        _options = options;
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"HF_ENDPOINT '{options.Endpoint}' is not an http(s) URL");
        _endpoint = endpoint;
        // redirects are followed by hand: a HEAD must see the LFS redirect's headers, and the token must not follow it
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = options.StallTimeout, AutomaticDecompression = DecompressionMethods.None };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("phasetune");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The commit a revision points to and every file the repository has there.</summary>
    public (string Commit, IReadOnlySet<string> Files) Listing(HubModelName name)
    {
        var url = Url($"api/models/{name.Repo}/revision/{Uri.EscapeDataString(name.Revision)}");
        using var response = Send(() => Request(HttpMethod.Get, url), name, null, out _);
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        try
        {
            var o = JsonNode.Parse(body, null, StrictJson.Document) as JsonObject ?? throw new JsonException("not an object");
            string sha = o["sha"] is JsonValue s && s.TryGetValue<string>(out var v) && HubModelName.IsCommitHash(v) ? v : throw new JsonException("no commit \"sha\"");
            var files = (o["siblings"] as JsonArray ?? throw new JsonException("no \"siblings\" list"))
                .Select(f => f?["rfilename"] is JsonValue r && r.TryGetValue<string>(out var n) ? n : throw new JsonException("a sibling without \"rfilename\""))
                .ToHashSet(StringComparer.Ordinal);
            return (sha, files);
        }
        catch (JsonException e) { throw new HubException($"{name}: {url} did not answer with a model listing ({e.Message}); is HF_ENDPOINT a Hugging Face Hub?"); }
    }

    /// <summary>A file's ETag, size and download location at a commit, from a HEAD on the resolve endpoint (relative
    /// redirects, as a renamed repository gives, are followed; the absolute one to LFS storage is not).</summary>
    public HubFileMetadata Metadata(HubModelName name, string commit, string file)
    {
        var url = Url($"{name.Repo}/resolve/{commit}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");
        using var response = Send(() =>
        {
            var r = Request(HttpMethod.Head, url);
            r.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));   // the real size, not a compressed one
            return r;
        }, name, file, out var final, followRelativeOnly: true);
        var h = response.Headers;
        string? Header(string key) => h.TryGetValues(key, out var values) ? values.FirstOrDefault() : null;
        string? etag = Header("X-Linked-Etag") ?? Header("ETag");
        if (etag is null) throw new HubException($"{name}: {file} has no ETag at {url}; is HF_ENDPOINT a Hugging Face Hub?");
        etag = etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;
        etag = HubCache.CheckEtag(etag.Trim('"'));
        bool redirect = (int)response.StatusCode is >= 300 and < 400;
        string? size = Header("X-Linked-Size") ?? (redirect ? null : response.Content.Headers.ContentLength?.ToString());
        if (!long.TryParse(size, out long bytes) || bytes < 0) throw new HubException($"{name}: {file} has no size (X-Linked-Size or Content-Length) at {url}");
        if (Header("X-Repo-Commit") is string c && c != commit) throw new HubException($"{name}: asked for {file} at commit {commit}, the Hub answered for {c}");
        var location = redirect && response.Headers.Location is Uri loc ? new Uri(final, loc) : final;
        return new HubFileMetadata(file, commit, etag, bytes, location);
    }

    /// <summary>Downloads a file into <paramref name="partial"/>, continuing from what it already holds (a Range request;
    /// a server that ignores the range starts it over), then checks its size and, for an LFS file, its sha256. A
    /// connection that drops is retried from where it stopped; if it keeps dropping, the partial file is kept for the
    /// next run. A file that fails its check is deleted.</summary>
    public void Download(HubModelName name, HubFileMetadata file, string partial)
    {
        var buffer = new byte[1 << 20];
        int failures = 0;
        while (true)
        {
            long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (have > file.Size) { File.Delete(partial); have = 0; }
            if (have == file.Size)
            {
                if (have == 0) File.Create(partial).Dispose();   // an empty file has no body to wait for
                break;
            }
            long before = have;
            try
            {
                using var response = Send(() =>
                {
                    var r = Request(HttpMethod.Get, file.Location);
                    r.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
                    if (have > 0) r.Headers.Range = new RangeHeaderValue(have, null);
                    return r;
                }, name, file.File, out _);
                if (have > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != have))
                    have = 0;   // the range was not honoured: the body is the whole file
                using var output = new FileStream(partial, have == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16);
                using var body = response.Content.ReadAsStream();
                var lastReport = DateTime.MinValue;
                while (true)
                {
                    using var stall = new CancellationTokenSource(_options.StallTimeout);
                    int n = body.ReadAsync(buffer, stall.Token).AsTask().GetAwaiter().GetResult();
                    if (n == 0) break;
                    if (have + n > file.Size)
                    {
                        output.Dispose();
                        File.Delete(partial);
                        throw new HubException($"{name}: {file.File} from {file.Location} is longer than the {file.Size} bytes the Hub announced; the download was discarded");
                    }
                    output.Write(buffer, 0, n);
                    have += n;
                    if ((DateTime.UtcNow - lastReport).TotalMilliseconds >= 100) { _options.Progress?.Report(new(name.Repo, file.File, have, file.Size)); lastReport = DateTime.UtcNow; }
                }
                output.Flush(flushToDisk: true);
                if (have < file.Size) throw new IOException($"the connection closed after {have} of {file.Size} bytes");
            }
            catch (HubException e) when (e.Unreachable)
            {
                long kept = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                throw new HubException($"{name}: downloading {file.File} stopped at {kept} of {file.Size} bytes ({e.Message}); " +
                    $"the partial file {partial} is kept and the next run continues from it", e, unreachable: true);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException || e is IOException and not HubException)
            {
                long kept = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                if (kept > before) failures = 0;   // progress was made: only a stall without progress counts against the retries
                if (++failures > _options.MaxRetries)
                    throw new HubException($"{name}: downloading {file.File} failed after {_options.MaxRetries} retries at {kept} of {file.Size} bytes ({e.Message}); " +
                        $"the partial file {partial} is kept and the next run continues from it", e, unreachable: true);
                Thread.Sleep(Backoff(failures));
            }
        }
        _options.Progress?.Report(new(name.Repo, file.File, file.Size, file.Size));
        if (file.EtagIsSha256)
        {
            string sha;
            using (var s = File.OpenRead(partial)) sha = Convert.ToHexStringLower(SHA256.HashData(s));
            if (sha != file.Etag.ToLowerInvariant())
            {
                File.Delete(partial);
                throw new HubException($"{name}: {file.File} downloaded from {file.Location} has sha256 {sha}, the Hub says {file.Etag}; the download was discarded, run again");
            }
        }
    }

    Uri Url(string relative) => new(new Uri(_endpoint.AbsoluteUri.TrimEnd('/') + "/"), relative);

    HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var r = new HttpRequestMessage(method, url);
        // the token is for the Hub; LFS storage gets signed URLs instead
        if (_options.Token is not null && url.Host == _endpoint.Host && url.Port == _endpoint.Port)
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        return r;
    }

    TimeSpan Backoff(int failures) => TimeSpan.FromTicks(Math.Min(_options.FirstRetryDelay.Ticks << Math.Min(failures - 1, 20), TimeSpan.FromSeconds(10).Ticks));

    /// <summary>Sends a request, following redirects (only relative ones when <paramref name="followRelativeOnly"/>)
    /// and retrying transient failures; any other error status becomes a HubException that says what to do.</summary>
    HttpResponseMessage Send(Func<HttpRequestMessage> make, HubModelName name, string? file, out Uri final, bool followRelativeOnly = false)
    {
        for (int failures = 0; ; )
        {
            HttpResponseMessage response;
            var request = make();
            try
            {
                for (int hops = 0; ; hops++)
                {
                    using var stall = new CancellationTokenSource(_options.StallTimeout);
                    response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
                    var location = response.Headers.Location;
                    if ((int)response.StatusCode is < 300 or >= 400 || location is null || hops >= 10 || followRelativeOnly && location.IsAbsoluteUri) break;
                    var next = new Uri(request.RequestUri!, location);
                    var follow = Request(request.Method, next);
                    foreach (var (key, values) in request.Headers.Where(x => x.Key != "Authorization")) follow.Headers.TryAddWithoutValidation(key, values);
                    response.Dispose();
                    request.Dispose();
                    request = follow;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                request.Dispose();
                // no connection at all is most likely being offline: said after two quick retries, not after a minute of them
                bool noConnection = e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
                if (++failures > (noConnection ? Math.Min(2, _options.MaxRetries) : _options.MaxRetries))
                    throw new HubException($"cannot reach {_options.Endpoint} ({e.Message})", e, unreachable: true);
                Thread.Sleep(Backoff(failures));
                continue;
            }
            final = request.RequestUri!;
            request.Dispose();
            if (response.IsSuccessStatusCode || (int)response.StatusCode is >= 300 and < 400) return response;
            if (Retryable.Contains(response.StatusCode) && ++failures <= _options.MaxRetries)
            {
                response.Dispose();
                Thread.Sleep(Backoff(failures));
                continue;
            }
            using (response) throw Refusal(response, name, file, final);
        }
    }

    /// <summary>An error status as the Hub means it (its X-Error-Code), with what to do about it.</summary>
    HubException Refusal(HttpResponseMessage response, HubModelName name, string? file, Uri url)
    {
        int status = (int)response.StatusCode;
        string? code = response.Headers.TryGetValues("X-Error-Code", out var v) ? v.FirstOrDefault() : null;
        string access = _options.Token is null
            ? "if it is private or gated, set HF_TOKEN to a token that can read it"
            : $"HF_TOKEN was sent but gives no access: check the token, and for a gated model accept its conditions on {_options.Endpoint}/{name.Repo}";
        return code switch
        {
            "RevisionNotFound" => new HubException($"{name}: revision '{name.Revision}' not found in {name.Repo} on {_options.Endpoint} (HTTP {status})"),
            "EntryNotFound" => new HubException($"{name}: {file} not found in the repository (HTTP {status})"),
            "GatedRepo" => new HubException($"{name}: a gated model (HTTP {status}): {access}"),
            _ when status is 401 or 403 => new HubException($"{name}: no local folder of that name, and {_options.Endpoint} refuses access (HTTP {status}): the repository is private, gated or absent; {access}"),
            _ when status == 404 || code == "RepoNotFound" => new HubException($"{name}: no local folder of that name, and no such repository on {_options.Endpoint} (HTTP {status}); {access}"),
            _ => new HubException($"{name}: {url} answered HTTP {status} {response.ReasonPhrase}{(status >= 500 ? $" after {_options.MaxRetries} retries" : "")}", unreachable: status >= 500),
        };
    }
}
