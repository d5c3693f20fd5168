using TorchSharp;
var t = torch.ones(2, 2);
System.Console.WriteLine((t + t).sum().item<float>());
