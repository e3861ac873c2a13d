# Disk layout for nixos-anywhere (disko): one GPT disk that boots both ways Hetzner machines may
# (legacy BIOS through a 1 MiB BIOS boot partition for GRUB, UEFI through the ESP), and an ext4 root.
# K3s keeps its data (containerd images, local-path volumes of the boxes) under /var/lib/rancher on it.
disk: {
  disko.devices.disk.main = {
    type = "disk";
    device = disk;
    content = {
      type = "gpt";
      partitions = {
        boot = {
          size = "1M";
          type = "EF02";
        };
        ESP = {
          size = "512M";
          type = "EF00";
          content = {
            type = "filesystem";
            format = "vfat";
            mountpoint = "/boot";
            mountOptions = [ "umask=0077" ];
          };
        };
        root = {
          size = "100%";
          content = {
            type = "filesystem";
            format = "ext4";
            mountpoint = "/";
          };
        };
      };
    };
  };
}
