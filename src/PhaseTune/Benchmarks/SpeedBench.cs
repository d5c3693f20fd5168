using System.Diagnostics;
using System.Text.Json.Nodes;
using PhaseTune.Inference;
using PhaseTune.Losses;
using PhaseTune.ModelFiles;
using PhaseTune.ModelFiles.Onnx;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Benchmarks;

/// <summary>Times training steps through the same modules, loss, optimiser and <see cref="Trainer"/> loop that
/// `phasetune train` fine-tunes with (random token ids; tokenisation is not timed, as in the peer), or no-grad
/// encoding as `phasetune embed` runs it. Reports the peer's JSON keys plus model GFLOP/s and RSS.</summary>
public static class SpeedBench
{
    public static JsonObject Run(SpeedOptions o, bool train)
    {
        if (o.Lengths.Count == 0) throw new ArgumentException("empty lengths workload");
        if (o.Onnx is not null && o.Precision != Precision.Fp32) throw new ArgumentException("--precision applies to TorchSharp runs, not --onnx");
        if (o.Objective is not ("ft" or "dae")) throw new ArgumentException($"--objective: unknown '{o.Objective}' (ft, dae)");
        if (o.Objective == "dae" && !train) throw new ArgumentException("--objective dae times training steps only");
        using var precision = Autocast.Scope(o.Precision);
        torch.set_num_threads(o.Threads);
        torch.manual_seed(0);
        var config = EncoderConfig.Load(o.ConfigPath);
        var encoder = new SentenceEncoder(new BertModel(config), PoolingMode.Cls);
        var phase = new SyntheticPhase(encoder, config, Batches(o), o);
        long sentences = 0, real = 0, padded = 0;
        for (int i = o.Warmup; i < o.Warmup + o.Steps; i++)
            (sentences, real, padded) = (sentences + phase.Sentences(i), real + phase.Real(i), padded + phase.Padded(i));
        double seconds, rssAfterWarmup, rssAtEnd;
        JsonObject? onnx = null;
        if (o.Onnx is not null)
        {
            if (train) throw new ArgumentException("--onnx times encoding only");
            (seconds, rssAfterWarmup, rssAtEnd, onnx) = TimeOnnx(o, encoder, phase);
        }
        else if (train)
        {
            var timer = new StepTimer(o.Warmup, o.Warmup + o.Steps);
            string dir = Path.Combine(Path.GetTempPath(), "phasetune-bench-" + Guid.NewGuid().ToString("N"));
            try { new Trainer(dir, TimedSteps, "bench", timer).Run(phase, 0); }
            finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
            (seconds, rssAfterWarmup, rssAtEnd) = (timer.Seconds, timer.RssAfterWarmup, timer.RssAtEnd);
        }
        else
        {
            encoder.eval();
            using var _ = no_grad();
            var clock = new Stopwatch();
            rssAfterWarmup = 0;
            for (int i = 0; i < o.Warmup + o.Steps; i++)
            {
                if (i == o.Warmup) { rssAfterWarmup = RssMb(); clock.Start(); }
                using var scope = NewDisposeScope();
                var b = phase.Batch(i);
                encoder.forward(b.Ids, b.Mask, b.Types);
            }
            seconds = clock.Elapsed.TotalSeconds;
            rssAtEnd = RssMb();
        }
        double flop = phase.ForwardFlop(o.Warmup, o.Steps) * (train ? 3 : 1);
        var result = new JsonObject
        {
            ["impl"] = o.Onnx is null ? "phasetune-torchsharp" : $"phasetune-onnx-{o.Onnx}", ["mode"] = train ? "train" : "inference", ["threads"] = o.Threads,
            ["precision"] = Autocast.Name(o.Precision),
            ["steps"] = o.Steps, ["warmup"] = o.Warmup, ["batch"] = o.Batch, ["seconds"] = Math.Round(seconds, 3),
            ["sentences_per_s"] = Math.Round(sentences / seconds, 2),
            ["tokens_per_s"] = Math.Round(real / seconds, 1), ["padded_tokens_per_s"] = Math.Round(padded / seconds, 1),
            ["model_gflop"] = Math.Round(flop / 1e9, 6), ["model_gflop_per_s"] = Math.Round(flop / seconds / 1e9, 2), ["sgemm_gflop_per_s"] = Math.Round(SgemmGflops(config), 2),
            ["rss_mb"] = Math.Round(rssAtEnd, 1), ["rss_mb_after_warmup"] = Math.Round(rssAfterWarmup, 1),
        };
        if (train) result["objective"] = o.Objective;
        if (o.Profile && train) result["profile_ms_per_step"] = ProfileSteps(phase, o);
        if (onnx is not null) foreach (var (k, v) in onnx) result[k] = v?.DeepClone();
        return result;
    }

    /// <summary>Exports the benchmark's encoder (with the tokenizer beside --config) to a temporary folder, opens it with
    /// PhaseTune.Inference and times each step's batch as one Embed call on the same token ids. Also reports the
    /// folder's size and the seconds from opening it to the first embedding.</summary>
    static (double Seconds, double RssAfterWarmup, double RssAtEnd, JsonObject Extra) TimeOnnx(SpeedOptions o, SentenceEncoder encoder, SyntheticPhase phase)
    {
        if (o.Onnx is not ("float" or "int8")) throw new ArgumentException($"--onnx: unknown '{o.Onnx}' (float, int8)");
        string tokenizerDir = Path.GetDirectoryName(Path.GetFullPath(o.ConfigPath))!;
        ITokenizer tok;
        try { tok = TokenizerLoader.Load(tokenizerDir); }
        catch (FileNotFoundException e) { throw new FileNotFoundException($"--onnx exports the benchmark's model with the tokenizer beside --config: {e.Message}"); }
        string root = Path.Combine(Path.GetTempPath(), "phasetune-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            string model = Path.Combine(root, "model"), export = Path.Combine(root, "export");
            ModelDirectory.Save(encoder.Encoder, tok, model);
            OnnxDirectory.Export(model, export, o.Onnx == "int8");
            var batches = Enumerable.Range(0, o.Warmup + o.Steps).Select(i =>
            {
                using var scope = NewDisposeScope();
                var b = phase.Batch(i);
                var ids = b.Ids.data<long>().ToArray();
                var lens = b.Mask.sum(1).data<long>().ToArray();
                long t = b.Ids.shape[1];
                return lens.Select((n, r) => new TokenEncoding(ids.Skip((int)(r * t)).Take((int)n).Select(v => (int)v).ToArray(), new int[n], [], [])).ToArray();
            }).ToArray();
            var startup = Stopwatch.StartNew();
            using var embedder = new OnnxEmbedder(export, new InferenceOptions(o.Threads, o.Batch, !o.OnnxUnsorted));
            embedder.EmbedEncoded(batches[0][..1]);
            double startupSeconds = startup.Elapsed.TotalSeconds;
            var clock = new Stopwatch();
            double rssAfterWarmup = 0;
            for (int i = 0; i < batches.Length; i++)
            {
                if (i == o.Warmup) { rssAfterWarmup = RssMb(); clock.Start(); }
                embedder.EmbedEncoded(batches[i]);
            }
            double bytes = Directory.EnumerateFiles(export).Sum(f => new FileInfo(f).Length);
            return (clock.Elapsed.TotalSeconds, rssAfterWarmup, RssMb(), new JsonObject
            {
                ["sort_by_length"] = !o.OnnxUnsorted, ["startup_s"] = Math.Round(startupSeconds, 3),
                ["folder_mb"] = Math.Round(bytes / (1 << 20), 2), ["onnxruntime"] = typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(),
            });
        }
        finally { if (Directory.Exists(root)) Directory.Delete(root, true); }
    }

    /// <summary>The Trainer settings of the timed steps (train's defaults: clipping at 1.0), no checkpoints.</summary>
    static readonly TrainerOptions TimedSteps = new(CheckpointEvery: 0);

    /// <summary>Where a training step's time goes: the Trainer's step cut at its calls (zero_grad, loss, backward,
    /// clipping, optimiser) and, for the DAE objective, the loss cut into encode, decode and project; averaged over the
    /// timed steps; run after the timed run so it does not slow it.</summary>
    static JsonObject ProfileSteps(SyntheticPhase phase, SpeedOptions o)
    {
        var ms = new Dictionary<string, double>();
        var parameters = phase.Optimizer.Parameters.ToList();
        var clock = new Stopwatch();
        void Lap(string part) { ms[part] = ms.GetValueOrDefault(part) + clock.Elapsed.TotalMilliseconds; clock.Restart(); }
        phase.SetTraining(true);
        phase.Lap = Lap;
        for (int i = 0; i < o.Steps; i++)
        {
            using var scope = NewDisposeScope();
            clock.Restart();
            phase.Optimizer.ZeroGrad(); Lap("zero_grad");
            var loss = phase.Loss(o.Warmup + i);
            if (!phase.LapsItsLoss) Lap("forward");
            loss.backward(); Lap("backward");
            nn.utils.clip_grad_norm_(parameters, TimedSteps.MaxGradNorm); Lap("clip");
            phase.Optimizer.Step(); Lap("optimizer");
        }
        phase.Lap = null;
        var json = new JsonObject();
        foreach (var (part, total) in ms) json[part] = Math.Round(total / o.Steps, 1);
        return json;
    }

    /// <summary>The lengths of each step's batch: consecutive runs of the workload (wrapping around) as the peer cuts
    /// them, or with <c>GroupByLength</c> the batches `train` forms by default (<see cref="BatchOrder.Shuffled"/>).</summary>
    static int[][] Batches(SpeedOptions o)
    {
        int n = o.Lengths.Count, steps = o.Warmup + o.Steps;
        if (!o.GroupByLength)
            return Enumerable.Range(0, steps).Select(i => Enumerable.Range(0, o.Batch).Select(j => o.Lengths[(int)(((long)i * o.Batch + j) % n)]).ToArray()).ToArray();
        var grouped = BatchOrder.Shuffled(n, o.Batch, new Random(0), i => o.Lengths[i]);
        return Enumerable.Range(0, steps).Select(i => grouped[i % grouped.Length].Select(j => o.Lengths[j]).ToArray()).ToArray();
    }

    /// <summary>GFLOP/s of a plain float32 matmul shaped like the feed-forward layer on 32 × 128 tokens: the best of
    /// five timings of five products, so a busy moment on the machine does not lower the yardstick.</summary>
    static double SgemmGflops(EncoderConfig c)
    {
        using var scope = NewDisposeScope();
        var a = randn(32 * 128, c.HiddenSize);
        var b = randn(c.HiddenSize, c.IntermediateSize);
        a.matmul(b);
        double best = double.MaxValue;
        const int reps = 5;
        for (int k = 0; k < 5; k++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) a.matmul(b);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * 32 * 128 * c.HiddenSize * c.IntermediateSize * reps / best / 1e9;
    }

    public static double RssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:")) return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return Environment.WorkingSet / 1048576.0;
    }

    /// <summary>Times the steps after the warmup ones (not the end-of-phase checkpoint); reads RSS when the timed
    /// steps start and after the last one.</summary>
    sealed class StepTimer(int warmup, int last) : ITrainingObserver
    {
        readonly Stopwatch _clock = new();
        public double Seconds => _clock.Elapsed.TotalSeconds;
        public double RssAfterWarmup { get; private set; }
        public double RssAtEnd { get; private set; }
        public void PhaseStarted(string phase, long totalSteps, long doneSteps)
        {
            if (warmup == 0) { RssAfterWarmup = RssMb(); _clock.Start(); }
        }
        public void Step(string phase, int epoch, long step, double loss, double lr)
        {
            if (step == warmup) { RssAfterWarmup = RssMb(); _clock.Restart(); }
            if (step == last) { _clock.Stop(); RssAtEnd = RssMb(); }
        }
        public void PhaseFinished(string phase, TimeSpan elapsed) { }
        public void Message(string text) { }
    }

    /// <summary>A training phase on random ids: fine-tuning's classification head and loss, or the DAE phase's loss
    /// (tied decoder, the encoder reading each sentence with 60 % of its tokens deleted, as DAE's deletion noise
    /// leaves it).</summary>
    sealed class SyntheticPhase : TrainingPhase
    {
        readonly SentenceEncoder _encoder;
        readonly ClassificationHead? _head;
        readonly ClassificationLoss? _ft;
        readonly DenoisingAutoEncoderLoss? _dae;
        readonly EncoderConfig _c;
        readonly int[][] _batches;
        readonly SpeedOptions _o;

        public SyntheticPhase(SentenceEncoder encoder, EncoderConfig c, int[][] batches, SpeedOptions o)
        {
            _encoder = encoder; _c = c; _batches = batches; _o = o;
            var parameters = encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter));
            if (o.Objective == "dae")
            {
                _dae = new DenoisingAutoEncoderLoss(encoder);
                parameters = parameters.Concat(_dae.Decoder.named_parameters().Select(p => ("decoder." + p.name, p.parameter)));
            }
            else
            {
                _head = new ClassificationHead(c.HiddenSize, o.Labels);
                _ft = new ClassificationLoss(encoder, _head);
                parameters = parameters.Concat(_head.named_parameters().Select(p => ("head." + p.name, p.parameter)));
            }
            StateParameters = Distinct(parameters);
            Optimizer = Optimizer.Create("adamw", ParameterGroup.ForWeightDecay("all", StateParameters, 2e-5, 0.01));
            Schedule = LrSchedule.Create("constant", 0, o.Warmup + o.Steps);
        }

        public override string Name => "bench";
        public override int ExampleCount => _batches.Sum(b => b.Length);
        public override int MaxEpochs => 1;
        public override int BeginEpoch(int epoch) => _o.Warmup + _o.Steps;
        public override void SetTraining(bool training) { _encoder.train(training); _head?.train(training); _dae?.train(training); }

        /// <summary>Called after each part of the DAE loss (encode, decode, project); the ft loss has no parts.</summary>
        public Action<string>? Lap { set { if (_dae is not null) _dae.Lap = value; } }
        public bool LapsItsLoss => _dae is not null;

        public long Sentences(int i) => _batches[i].Length;
        public long Real(int i) => _batches[i].Sum();
        public long Padded(int i) => (long)_batches[i].Length * SeqLen(i);
        int SeqLen(int i) => _o.PadTo > 0 ? _o.PadTo : _batches[i].Max();

        /// <summary>The length the encoder reads under DAE's noise: the special tokens and 40 % of the rest.</summary>
        static int Noisy(int length) => length <= 2 ? length : 2 + Math.Max(1, (int)Math.Round(0.4 * (length - 2)));

        public TokenBatch Batch(int i) => RandomIds(_batches[i], SeqLen(i), new Random(i));

        TokenBatch RandomIds(int[] lens, int t, Random rng)
        {
            int b = lens.Length;
            var ids = new long[b * t];
            var mask = new long[b * t];
            for (int r = 0; r < b; r++)
                for (int k = 0; k < t; k++)
                {
                    bool real = k < lens[r];
                    ids[r * t + k] = real ? rng.Next(1000, _c.VocabSize) : _c.PadTokenId;
                    mask[r * t + k] = real ? 1 : 0;
                }
            return new TokenBatch(tensor(ids, [b, t]), tensor(mask, [b, t]), zeros(b, t, dtype: ScalarType.Int64));
        }

        public override Tensor Loss(int index)
        {
            if (_dae is not null)
            {
                var noisy = _batches[index].Select(Noisy).ToArray();
                return _dae.Forward(new DaeBatch(RandomIds(noisy, noisy.Max(), new Random(~index)), Batch(index)));
            }
            return _ft!.Forward(new LabelBatch(Batch(index), tensor(Enumerable.Range(0, _batches[index].Length).Select(r => (long)((index + r) % _o.Labels)).ToArray())));
        }

        /// <summary>Matmul FLOPs the forward passes over steps [from, from + n) need: each sentence's own tokens (work on
        /// padding is not counted, whether done or skipped); for DAE the encoder on the noisy copy, the decoder (self-
        /// and cross-attention) on the clean one and the head's transform and vocabulary projection on its targets.</summary>
        public double ForwardFlop(int from, int n)
        {
            double h = _c.HiddenSize, inter = _c.IntermediateSize, v = _c.VocabSize, layers = _c.NumHiddenLayers, total = 0;
            double Layer(double t) => layers * t * (8 * h * h + 4 * h * inter + 4 * t * h);
            for (int i = from; i < from + n; i++)
                foreach (int t in _batches[i])
                    total += _dae is null ? Layer(t)
                        : Layer(Noisy(t)) + Layer(t - 1) + layers * (t - 1) * 4 * h * h + Math.Max(0, t - 2) * (2 * h * h + 2 * h * v);
            return total;
        }
    }
}
