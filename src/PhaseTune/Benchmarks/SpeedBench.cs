using System.Diagnostics;
using System.Text.Json.Nodes;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Benchmarks;

/// <summary>Options of a speed run; the workload is a list of token lengths, cut into consecutive batches padded to
/// their longest member (or to <c>PadTo</c>), as ../shared/bench/torch_peer.py does.</summary>
public sealed record SpeedOptions(string ConfigPath, IReadOnlyList<int> Lengths, int Batch = 32, int Steps = 20, int Warmup = 2,
    int Threads = 2, int PadTo = 0, bool GroupByLength = false, int Labels = 7);

/// <summary>Times training steps through the same modules, loss, optimiser and <see cref="Trainer"/> loop that
/// `phasetune train` fine-tunes with (random token ids; tokenisation is not timed, as in the peer), or no-grad
/// encoding as `phasetune embed` runs it. Reports the peer's JSON keys plus model GFLOP/s and RSS.</summary>
public static class SpeedBench
{
    public static JsonObject Run(SpeedOptions o, bool train)
    {
        if (o.Lengths.Count == 0) throw new ArgumentException("empty lengths workload");
        torch.set_num_threads(o.Threads);
        torch.manual_seed(0);
        var config = EncoderConfig.Load(o.ConfigPath);
        var lengths = o.GroupByLength ? GroupByLength(o.Lengths, o.Batch) : o.Lengths.ToArray();
        var encoder = new SentenceEncoder(new BertModel(config), PoolingMode.Cls);
        var phase = new SyntheticPhase(encoder, config, lengths, o);
        long real = 0, padded = 0;
        for (int i = o.Warmup; i < o.Warmup + o.Steps; i++) (real, padded) = (real + phase.Real(i), padded + phase.Padded(i));
        double seconds;
        double rssAfterWarmup;
        if (train)
        {
            var timer = new StepTimer(o.Warmup, o.Warmup + o.Steps);
            string dir = Path.Combine(Path.GetTempPath(), "phasetune-bench-" + Guid.NewGuid().ToString("N"));
            try { new Trainer(dir, new TrainConfig { LogEvery = 10, CheckpointEvery = 0 }, timer).Run(phase, 0); }
            finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
            seconds = timer.Seconds;
            rssAfterWarmup = timer.RssAfterWarmup;
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
        }
        double flop = phase.ForwardFlop(o.Warmup, o.Steps) * (train ? 3 : 1);
        return new JsonObject
        {
            ["impl"] = "phasetune-torchsharp", ["mode"] = train ? "train" : "inference", ["threads"] = o.Threads,
            ["steps"] = o.Steps, ["batch"] = o.Batch, ["seconds"] = Math.Round(seconds, 3),
            ["sentences_per_s"] = Math.Round(o.Steps * o.Batch / seconds, 2),
            ["tokens_per_s"] = Math.Round(real / seconds, 1), ["padded_tokens_per_s"] = Math.Round(padded / seconds, 1),
            ["model_gflop_per_s"] = Math.Round(flop / seconds / 1e9, 2), ["sgemm_gflop_per_s"] = Math.Round(SgemmGflops(config), 2),
            ["rss_mb"] = Math.Round(RssMb(), 1), ["rss_mb_after_warmup"] = Math.Round(rssAfterWarmup, 1),
        };
    }

    /// <summary>HF Trainer's group_by_length: shuffle, cut into mega-batches of 50 batches, sort each by length
    /// (descending). The shuffle is this project's seeded one, not torch.randperm's.</summary>
    public static int[] GroupByLength(IReadOnlyList<int> lengths, int batch)
    {
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        new Random(0).Shuffle(order);
        return order.Chunk(50 * batch).SelectMany(mega => mega.OrderByDescending(j => lengths[j])).Select(j => lengths[j]).ToArray();
    }

    /// <summary>GFLOP/s of one plain float32 matmul shaped like the model's feed-forward layer.</summary>
    static double SgemmGflops(EncoderConfig c)
    {
        using var scope = NewDisposeScope();
        var a = randn(32 * 128, c.HiddenSize);
        var b = randn(c.HiddenSize, c.IntermediateSize);
        a.matmul(b);
        var clock = Stopwatch.StartNew();
        int reps = 10;
        for (int i = 0; i < reps; i++) a.matmul(b);
        return 2.0 * 32 * 128 * c.HiddenSize * c.IntermediateSize * reps / clock.Elapsed.TotalSeconds / 1e9;
    }

    public static double RssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:")) return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return Environment.WorkingSet / 1048576.0;
    }

    /// <summary>Times the steps after the warmup ones (not the end-of-phase checkpoint); reads RSS at the start.</summary>
    sealed class StepTimer(int warmup, int last) : ITrainingObserver
    {
        readonly Stopwatch _clock = new();
        public double Seconds => _clock.Elapsed.TotalSeconds;
        public double RssAfterWarmup { get; private set; }
        public void PhaseStarted(string phase, long totalSteps, long doneSteps)
        {
            if (warmup == 0) { RssAfterWarmup = RssMb(); _clock.Start(); }
        }
        public void Step(string phase, int epoch, long step, double loss, double lr)
        {
            if (step == warmup) { RssAfterWarmup = RssMb(); _clock.Restart(); }
            if (step == last) _clock.Stop();
        }
        public void PhaseFinished(string phase, TimeSpan elapsed) { }
        public void Message(string text) { }
    }

    /// <summary>Fine-tuning on random ids: the classification head and loss of `train`'s fine-tuning phase.</summary>
    sealed class SyntheticPhase : TrainingPhase
    {
        readonly SentenceEncoder _encoder;
        readonly ClassificationHead _head;
        readonly Losses.CrossEntropyLoss _loss;
        readonly EncoderConfig _c;
        readonly int[] _lengths;
        readonly SpeedOptions _o;

        public SyntheticPhase(SentenceEncoder encoder, EncoderConfig c, int[] lengths, SpeedOptions o)
        {
            _encoder = encoder; _c = c; _lengths = lengths; _o = o;
            _head = new ClassificationHead(c.HiddenSize, o.Labels);
            _loss = new Losses.CrossEntropyLoss(encoder, _head);
            StateParameters = Distinct(encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter))
                .Concat(_head.named_parameters().Select(p => ("head." + p.name, p.parameter))));
            Optimizer = Optimizer.Create("adamw", DecayGroups("all", StateParameters, 2e-5, 0.01));
            Schedule = LrSchedule.Create("constant", 0, o.Warmup + o.Steps);
        }

        public override string Name => "bench";
        public override int MaxEpochs => 1;
        public override int BeginEpoch(int epoch) => _o.Warmup + _o.Steps;
        public override void SetTraining(bool training) { _encoder.train(training); _head.train(training); }

        int[] Lens(int i) => Enumerable.Range(0, _o.Batch).Select(j => _lengths[(i * _o.Batch + j) % _lengths.Length]).ToArray();
        public long Real(int i) => Lens(i).Sum();
        public long Padded(int i) => (long)_o.Batch * SeqLen(i);
        int SeqLen(int i) => _o.PadTo > 0 ? _o.PadTo : Lens(i).Max();

        public TokenBatch Batch(int i)
        {
            var lens = Lens(i);
            int t = SeqLen(i);
            var rng = new Random(i);
            var ids = new long[_o.Batch * t];
            var mask = new long[_o.Batch * t];
            for (int r = 0; r < _o.Batch; r++)
                for (int k = 0; k < t; k++)
                {
                    bool real = k < lens[r];
                    ids[r * t + k] = real ? rng.Next(1000, _c.VocabSize) : _c.PadTokenId;
                    mask[r * t + k] = real ? 1 : 0;
                }
            return new TokenBatch(tensor(ids, [_o.Batch, t]), tensor(mask, [_o.Batch, t]), zeros(_o.Batch, t, dtype: ScalarType.Int64));
        }

        public override Tensor Loss(int index) =>
            _loss.Forward(new LabelBatch(Batch(index), tensor(Enumerable.Range(0, _o.Batch).Select(r => (long)((index + r) % _o.Labels)).ToArray())));

        /// <summary>Matmul FLOPs of the encoder's forward passes over steps [from, from + n) on padded batches.</summary>
        public double ForwardFlop(int from, int n)
        {
            double h = _c.HiddenSize, inter = _c.IntermediateSize, total = 0;
            for (int i = from; i < from + n; i++)
            {
                double t = SeqLen(i), tokens = _o.Batch * t;
                total += _c.NumHiddenLayers * tokens * (8 * h * h + 4 * h * inter + 4 * t * h);
            }
            return total;
        }
    }
}
