using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PhaseTune.Tests.Hub;

/// <summary>An in-process stand-in for the Hugging Face Hub on 127.0.0.1 (a free port), serving repositories built from
/// local folders as the Hub does: the revision listing with `sha` and `siblings`; the resolve endpoint with
/// X-Repo-Commit and an ETag (the git blob id) for a plain file, and for an LFS file (*.safetensors, *.bin) a 302 to
/// separate storage with X-Linked-Etag (its sha256) and X-Linked-Size; Range requests on the storage; and the Hub's
/// X-Error-Code on errors. Faults are injected through its settable members; every request is logged.</summary>
public sealed class FakeHub : IDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    public sealed record Entry(byte[] Bytes, bool Lfs)
    {
        public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Bytes));
        public string GitSha1 => Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {Bytes.Length}\0"), .. Bytes]));
    }

    public sealed record Logged(string Method, string Path, string? Range, string? Authorization);

    readonly HttpListener _listener = new();
    readonly Dictionary<string, Dictionary<string, Entry>> _repos = [];
    readonly Dictionary<string, Entry> _lfs = [];
    public ConcurrentQueue<Logged> Requests { get; } = new();
    public string Endpoint { get; }
    public string Storage { get; }
    public int Port { get; }

    /// <summary>Repositories that answer 401 GatedRepo unless this bearer token comes with the request.</summary>
    public Dictionary<string, string> Tokens { get; } = [];
    /// <summary>The next this many requests answer this status (a 500 to retry).</summary>
    public int FailNext;
    public int FailStatus = 500;
    /// <summary>The next this many LFS bodies stop after CutAfter bytes (the connection is dropped).</summary>
    public int CutNext;
    public long CutAfter;
    /// <summary>After CutAfter bytes of an LFS body, the whole server stops (a crash mid-download).</summary>
    public bool StopAtCut;
    /// <summary>LFS bodies come with one byte flipped (a wrong hash).</summary>
    public bool Corrupt;

    public FakeHub(int port = 0)
    {
        Port = port != 0 ? port : FreePort();
        Endpoint = $"http://127.0.0.1:{Port}";
        // LFS files are stored elsewhere, as on the Hub: here another port, so another origin
        Storage = $"http://127.0.0.1:{FreePort()}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Prefixes.Add(Storage + "/");
        _listener.Start();
        new Thread(Serve) { IsBackground = true }.Start();
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Serves <paramref name="folder"/>'s files (recursively) as repository <paramref name="repo"/>, with
    /// <paramref name="extra"/> files added (paths the Hub would list, e.g. onnx/model.onnx).</summary>
    public FakeHub Add(string repo, string folder, IReadOnlyDictionary<string, byte[]>? extra = null)
    {
        var files = new Dictionary<string, Entry>();
        foreach (var f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            files[Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')] = Make(f, File.ReadAllBytes(f));
        foreach (var (name, bytes) in extra ?? new Dictionary<string, byte[]>()) files[name] = Make(name, bytes);
        _repos[repo] = files;
        foreach (var e in files.Values.Where(e => e.Lfs)) _lfs[e.Sha256] = e;
        return this;

        static Entry Make(string name, byte[] bytes) => new(bytes, name.EndsWith(".safetensors") || name.EndsWith(".bin") || name.EndsWith(".onnx"));
    }

    public Entry Served(string repo, string path) => _repos[repo][path];

    public void Dispose()
    {
        try { _listener.Abort(); } catch (ObjectDisposedException) { }
    }

    void Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = _listener.GetContext(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            ThreadPool.QueueUserWorkItem(_ =>
            {
                try { Handle(ctx); }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException) { }
            });
        }
    }

    void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        var res = ctx.Response;
        string path = Uri.UnescapeDataString(req.Url!.AbsolutePath);
        Requests.Enqueue(new Logged(req.HttpMethod, path, req.Headers["Range"], req.Headers["Authorization"]));
        if (Interlocked.Decrement(ref FailNext) >= 0) { End(res, FailStatus); return; }
        var parts = path.Trim('/').Split('/');
        if (parts is ["api", "models", var org, var name, "revision", var rev])
        {
            if (Refused(ctx, $"{org}/{name}") is { } files)
            {
                if (rev != "main" && rev != Commit) { End(res, 404, "RevisionNotFound"); return; }
                var body = new JsonObject
                {
                    ["id"] = $"{org}/{name}", ["sha"] = Commit,
                    ["siblings"] = new JsonArray(files.Keys.Order().Select(k => (JsonNode)new JsonObject { ["rfilename"] = k }).ToArray()),
                };
                Send(res, Encoding.UTF8.GetBytes(body.ToJsonString()), req.HttpMethod);
            }
            return;
        }
        if (parts.Length >= 5 && parts[2] == "resolve")
        {
            if (Refused(ctx, $"{parts[0]}/{parts[1]}") is not { } files) return;
            if (parts[3] != "main" && parts[3] != Commit) { End(res, 404, "RevisionNotFound"); return; }
            res.Headers["X-Repo-Commit"] = Commit;
            if (!files.TryGetValue(string.Join('/', parts[4..]), out var entry)) { End(res, 404, "EntryNotFound"); return; }
            if (entry.Lfs)
            {
                string pointer = $"version https://git-lfs.github.com/spec/v1\noid sha256:{entry.Sha256}\nsize {entry.Bytes.Length}\n";
                res.Headers["ETag"] = $"\"{new Entry(Encoding.ASCII.GetBytes(pointer), false).GitSha1}\"";
                res.Headers["X-Linked-Etag"] = $"\"{entry.Sha256}\"";
                res.Headers["X-Linked-Size"] = entry.Bytes.Length.ToString();
                res.Headers["Location"] = $"{Storage}/lfs/{entry.Sha256}";
                End(res, 302);
                return;
            }
            res.Headers["ETag"] = $"\"{entry.GitSha1}\"";
            Send(res, entry.Bytes, req.HttpMethod);
            return;
        }
        if (parts is ["lfs", var sha] && _lfs.TryGetValue(sha, out var blob))
        {
            var bytes = blob.Bytes;
            if (Corrupt) { bytes = (byte[])bytes.Clone(); bytes[bytes.Length / 2] ^= 0xFF; }
            long from = 0;
            if (req.Headers["Range"] is string range && range.StartsWith("bytes=") && range.EndsWith('-'))
            {
                from = long.Parse(range["bytes=".Length..^1]);
                res.StatusCode = 206;
                res.Headers["Content-Range"] = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
            }
            res.ContentLength64 = bytes.Length - from;
            if (Interlocked.Decrement(ref CutNext) >= 0)
            {
                res.OutputStream.Write(bytes, (int)from, (int)Math.Min(CutAfter, bytes.Length - from));
                res.OutputStream.Flush();
                if (StopAtCut) Dispose();
                res.Abort();
                return;
            }
            res.OutputStream.Write(bytes, (int)from, (int)(bytes.Length - from));
            res.Close();
            return;
        }
        End(res, 404);
    }

    /// <summary>The repository's files, or null after answering as the Hub does: 404 RepoNotFound, 401 GatedRepo.</summary>
    Dictionary<string, Entry>? Refused(HttpListenerContext ctx, string repo)
    {
        if (!_repos.TryGetValue(repo, out var files)) { End(ctx.Response, 404, "RepoNotFound"); return null; }
        if (Tokens.TryGetValue(repo, out var token) && ctx.Request.Headers["Authorization"] != $"Bearer {token}") { End(ctx.Response, 401, "GatedRepo"); return null; }
        return files;
    }

    static void Send(HttpListenerResponse res, byte[] body, string method)
    {
        res.ContentLength64 = body.Length;
        if (method != "HEAD") res.OutputStream.Write(body);
        res.Close();
    }

    static void End(HttpListenerResponse res, int status, string? errorCode = null)
    {
        res.StatusCode = status;
        if (errorCode is not null) res.Headers["X-Error-Code"] = errorCode;
        res.ContentLength64 = 0;
        res.Close();
    }
}
