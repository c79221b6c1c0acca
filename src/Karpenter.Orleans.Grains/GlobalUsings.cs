global using Karpenter.Orleans.Abstractions;
global using Orleans;
global using Orleans.Concurrency;
global using Orleans.Runtime;
